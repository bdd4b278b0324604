#include "intake/app/synchronous_intake.h"

namespace leadflow::intake {

Refusal SynchronousIntake::Authenticate(const std::optional<std::string>& api_key,
                                        std::string* source) {
  if (access_ == nullptr) return Refusal::kNone;
  const AccessDecision d = access_->Check(api_key);
  const Refusal refusal = RefusalOf(d);
  if (refusal == Refusal::kUnauthenticated) {
    processor_.CountDenied("", RefusalLabel(refusal));
  } else if (refusal != Refusal::kNone) {
    processor_.CountDenied(d.source_id, RefusalLabel(refusal));
  }
  *source = d.source_id;
  return refusal;
}

Refusal SynchronousIntake::Bind(const std::string& source,
                                leadflow::intake::v1::LeadSubmission* submission) {
  if (source.empty() || BindSource(source, submission)) return Refusal::kNone;
  processor_.CountDenied(source, RefusalLabel(Refusal::kSourceMismatch));
  return Refusal::kSourceMismatch;
}

}  // namespace leadflow::intake
