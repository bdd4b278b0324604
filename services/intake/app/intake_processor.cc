#include "intake/app/intake_processor.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/util/time_util.h>

#include "common/kafka/topics.h"
#include "common/log/log.h"
#include "intake/app/contact_index.h"
#include "intake/domain/identity.h"
#include "intake/domain/lead_events.h"
#include "intake/domain/normalization.h"
#include "intake/domain/validation.h"

namespace leadflow::intake {
namespace {

using google::protobuf::util::TimeUtil;
using leadflow::intake::v1::LeadSubmission;

struct Holder {
  std::string lead_id;
  std::string token;
};

Holder ParseHolder(const std::string& value) {
  const size_t bar = value.find('|');
  if (bar == std::string::npos) return {value, ""};
  return {value.substr(0, bar), value.substr(bar + 1)};
}

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

}  // namespace

const char* OutcomeLabel(IntakeOutcome outcome) {
  switch (outcome) {
    case IntakeOutcome::kAccepted:
      return "accepted";
    case IntakeOutcome::kDuplicate:
      return "duplicate";
    default:
      return "rejected";
  }
}

std::string SerializeDeterministic(const google::protobuf::Message& message) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  return out;
}

IntakeProcessor::IntakeProcessor(std::shared_ptr<const IntakePolicy> policy,
                                 IdempotencyStore& store, AccountDirectory& accounts,
                                 IntakeMetrics& metrics, const Clock& clock, IdGenerator& ids)
    : policy_(std::move(policy)),
      store_(store),
      accounts_(accounts),
      metrics_(metrics),
      clock_(clock),
      ids_(ids) {}

void IntakeProcessor::CountUnparseable(leadflow::common::v1::ReasonCode reason) {
  metrics_.Received("other", OutcomeLabel(IntakeOutcome::kRejected));
  metrics_.Rejected("other", leadflow::common::v1::ReasonCode_Name(reason));
}

void IntakeProcessor::CountDenied(const std::string& source_id, const std::string& reason) {
  const std::string label = policy_->SourceLabel(source_id);
  metrics_.Received(label, OutcomeLabel(IntakeOutcome::kRejected));
  metrics_.Rejected(label, reason);
}

StatusOr<IntakeResult> IntakeProcessor::Process(const LeadSubmission& sub,
                                                const SubmissionOrigin& origin) {
  const IntakePolicy& policy = *policy_;
  const std::string source_label = policy.SourceLabel(sub.source_id());
  IntakeResult result;
  result.source_id = sub.source_id();

  const auto started = std::chrono::steady_clock::now();
  result.errors = ValidateSubmission(sub, policy);
  if (!result.errors.empty()) {
    metrics_.ValidationSeconds(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    result.outcome = IntakeOutcome::kRejected;
    metrics_.Received(source_label, OutcomeLabel(result.outcome));
    metrics_.Rejected(source_label,
                      leadflow::common::v1::ReasonCode_Name(result.errors.front().reason()));
    return result;
  }
  NormalizedLead normalized = NormalizeSubmission(sub, policy);
  metrics_.ValidationSeconds(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  auto& lead = normalized.lead;

  const int64_t submitted_ms =
      sub.has_submitted_at()
          ? TimeUtil::TimestampToMilliseconds(sub.submitted_at())
          : (origin.received_at_ms > 0 ? origin.received_at_ms : clock_.NowMillis());
  const std::string key =
      IdempotencyKeyFor(sub, normalized.contact_key, FloorDiv(submitted_ms, 1000), policy);
  const std::string new_lead_id = ids_.NewLeadId();
  const std::string claim_value = new_lead_id + "|" + origin.redelivery_token;
  auto claim = store_.Claim(key, claim_value, policy.dedupe_window_seconds());
  if (!claim.ok()) return claim.status();

  std::string lead_id = new_lead_id;
  if (!claim->claimed) {
    const Holder holder = ParseHolder(claim->holder);
    if (holder.lead_id.empty()) return Status::Internal("dedupe record without a lead id");
    if (!origin.redelivery_token.empty() && holder.token == origin.redelivery_token) {
      lead_id = holder.lead_id;
      result.redelivered = true;
    } else {
      result.outcome = IntakeOutcome::kDuplicate;
      result.duplicate_of = holder.lead_id;
      const std::string event_id =
          origin.redelivery_token.empty()
              ? "e-" + ids_.Hex32()
              : "e-" + Hex16(Fnv1a64(origin.redelivery_token)) + Hex16(Fnv1a64(key));
      const auto event = MakeResubmissionEvent(lead, holder.lead_id, event_id, submitted_ms);
      kafka::OutgoingMessage msg;
      msg.topic = topics::kEngagementEvents;
      msg.key = event.contact_id();
      msg.payload = SerializeDeterministic(event);
      msg.headers.push_back(
          {topics::kTraceHeader, origin.trace_id.empty() ? event_id.substr(2) : origin.trace_id});
      result.messages.push_back(std::move(msg));
      metrics_.Received(source_label, OutcomeLabel(result.outcome));
      return result;
    }
  } else {
    result.claim_key = key;
    result.claim_value = claim_value;
  }

  if (contact_index_ != nullptr) {
    Status s = contact_index_->Remember(lead.contact().contact_id(), key,
                                        policy.dedupe_window_seconds());
    if (!s.ok()) {
      if (!result.claim_key.empty()) (void)store_.Release(result.claim_key, result.claim_value);
      return Status::Unavailable(s.message());
    }
  }
  auto account =
      accounts_.Lookup(lead.contact().email(), lead.company().domain(), lead.company().inn());
  if (!account.ok()) {
    if (!result.claim_key.empty()) (void)store_.Release(result.claim_key, result.claim_value);
    return Status::Unavailable("registry lookup: " + account.status().message());
  }
  ApplyRelationship(*account, &lead);
  const std::string trace_id = origin.trace_id.empty() ? lead_id.substr(2) : origin.trace_id;
  StampIdentity(lead_id, trace_id, submitted_ms, &lead);

  kafka::OutgoingMessage msg;
  msg.topic = topics::kLeadsAccepted;
  msg.key = lead.meta().account_key();
  msg.payload = SerializeDeterministic(lead);
  msg.headers.push_back({topics::kTraceHeader, trace_id});
  result.messages.push_back(std::move(msg));
  result.outcome = IntakeOutcome::kAccepted;
  result.lead_id = lead_id;
  result.relationship = lead.meta().relationship();
  if (!result.redelivered) metrics_.Received(source_label, OutcomeLabel(result.outcome));
  return result;
}

StatusOr<IntakeResult> IntakeProcessor::SubmitAndWait(const LeadSubmission& sub,
                                                      const SubmissionOrigin& origin,
                                                      kafka::Producer& producer,
                                                      std::chrono::milliseconds timeout) {
  auto result = Process(sub, origin);
  if (!result.ok()) return result;
  for (const auto& msg : result->messages) {
    Status s = producer.ProduceAndWait(msg, timeout);
    if (s.ok()) continue;
    if (result->outcome == IntakeOutcome::kAccepted) {
      if (!result->claim_key.empty()) (void)store_.Release(result->claim_key, result->claim_value);
      metrics_.PublishFailed(msg.topic);
      // No lead id or contact data in logs (DESIGN.md): topic and error only.
      log::Warn("publishing accepted lead failed", {{"topic", msg.topic}, {"error", s.message()}});
      return Status::Unavailable("publishing the lead failed: " + s.message());
    }
    metrics_.PublishFailed(msg.topic);
    log::Warn("publishing resubmission event failed",
              {{"topic", msg.topic}, {"error", s.message()}});
  }
  return result;
}

}  // namespace leadflow::intake
