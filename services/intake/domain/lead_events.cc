#include "intake/domain/lead_events.h"

#include <google/protobuf/util/time_util.h>

#include "intake/domain/identity.h"
#include "intake/domain/text.h"

namespace leadflow::intake {

using google::protobuf::util::TimeUtil;

std::string IdempotencyKeyFor(const leadflow::intake::v1::LeadSubmission& sub,
                              const std::string& contact_key, int64_t submitted_unix_seconds,
                              const IntakePolicy& policy) {
  const std::string_view source = TrimAscii(sub.source_id());
  const std::string_view client_key = TrimAscii(sub.idempotency_key());
  if (!client_key.empty()) return ClientIdempotencyKey(source, client_key);
  return DerivedIdempotencyKey(contact_key, source, submitted_unix_seconds,
                               policy.dedupe_window_seconds());
}

void StampIdentity(const std::string& lead_id, const std::string& trace_id,
                   int64_t first_submitted_at_ms, leadflow::intake::v1::LeadAccepted* lead) {
  auto* meta = lead->mutable_meta();
  meta->set_lead_id(lead_id);
  meta->set_trace_id(trace_id);
  *meta->mutable_first_submitted_at() = TimeUtil::MillisecondsToTimestamp(first_submitted_at_ms);
}

leadflow::engagement::v1::EngagementEvent MakeResubmissionEvent(
    const leadflow::intake::v1::LeadAccepted& repeat, const std::string& original_lead_id,
    const std::string& event_id, int64_t occurred_at_ms) {
  leadflow::engagement::v1::EngagementEvent e;
  e.set_event_id(event_id);
  e.set_contact_id(repeat.contact().contact_id());
  e.set_lead_id(original_lead_id);
  e.set_account_key(repeat.meta().account_key());
  e.set_type(leadflow::engagement::v1::FORM_RESUBMITTED);
  *e.mutable_occurred_at() = TimeUtil::MillisecondsToTimestamp(occurred_at_ms);
  e.set_source_id(repeat.meta().source_id());
  return e;
}

}  // namespace leadflow::intake
