// What the synchronous APIs (gRPC SubmitLead, HTTP POST /v1/leads) share: the
// caller's API key checked, with its source's rate limit (SourceAccess), the
// submission bound to that source, and the pipeline run with publishing
// before the answer (IntakeProcessor::SubmitAndWait). Every refusal is
// counted as a rejected submission with its reason. Without a SourceAccess
// (unit tests only) everyone is admitted. Thread-safe; holds references to
// its collaborators, which must outlive it.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "common/kafka/producer.h"
#include "intake/app/intake_processor.h"
#include "intake/app/source_access.h"

namespace leadflow::intake {

class SynchronousIntake {
 public:
  SynchronousIntake(IntakeProcessor& processor, kafka::Producer& producer, SourceAccess* access,
                    std::chrono::milliseconds publish_timeout)
      : processor_(processor),
        producer_(producer),
        access_(access),
        publish_timeout_(publish_timeout) {}

  // Checks `api_key` (nullopt: none presented) and takes a token from its
  // source's bucket; `*source` is the key's source ("" without a SourceAccess).
  Refusal Authenticate(const std::optional<std::string>& api_key, std::string* source);
  // Binds `submission` to the authenticated `source` (nothing to bind for "").
  Refusal Bind(const std::string& source, leadflow::intake::v1::LeadSubmission* submission);
  StatusOr<IntakeResult> Submit(const leadflow::intake::v1::LeadSubmission& submission,
                                const SubmissionOrigin& origin) {
    return processor_.SubmitAndWait(submission, origin, producer_, publish_timeout_);
  }
  IntakeProcessor& processor() const { return processor_; }

 private:
  IntakeProcessor& processor_;
  kafka::Producer& producer_;
  SourceAccess* access_;
  std::chrono::milliseconds publish_timeout_;
};

}  // namespace leadflow::intake
