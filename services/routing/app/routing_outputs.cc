#include "routing/app/routing_outputs.h"

#include "common/kafka/dead_letter.h"
#include "common/kafka/topics.h"
#include "routing/domain/cohort.h"

namespace leadflow::routing {

namespace cv1 = leadflow::common::v1;
namespace rv1 = leadflow::routing::v1;

void SetMillis(google::protobuf::Timestamp* ts, int64_t ms) {
  ts->set_seconds(ms / 1000);
  ts->set_nanos(static_cast<int32_t>(ms % 1000) * 1000000);
}

int64_t ToMillis(const google::protobuf::Timestamp& ts) {
  return ts.seconds() * 1000 + ts.nanos() / 1000000;
}

kafka::OutgoingMessage MakeEvent(const char* topic, const cv1::LeadMeta& meta,
                                 const std::string& fallback_key, std::string payload) {
  kafka::OutgoingMessage m;
  m.topic = topic;
  m.key = meta.account_key().empty() ? fallback_key : meta.account_key();
  m.payload = std::move(payload);
  if (!meta.trace_id().empty()) m.headers.push_back({topics::kTraceHeader, meta.trace_id()});
  return m;
}

kafka::OutgoingMessage MakeEvent(const char* topic, const cv1::LeadMeta& meta,
                                 const std::string& fallback_key,
                                 const google::protobuf::Message& payload) {
  return MakeEvent(topic, meta, fallback_key, payload.SerializeAsString());
}

namespace {

// Every event about a record carries the scored lead as field 1.
static_assert(rv1::LeadAssigned::kScoredFieldNumber == 1);
static_assert(rv1::NurtureRequested::kScoredFieldNumber == 1);
static_assert(rv1::CustomerInbound::kScoredFieldNumber == 1);

// `msg` (its scored field unset) serialised with `scored_bytes` as field 1,
// which comes first as in protobuf's own field-number order.
std::string WithScored(std::string_view scored_bytes, const google::protobuf::Message& msg) {
  std::string out;
  out.reserve(scored_bytes.size() + 16 + msg.ByteSizeLong());
  out.push_back(static_cast<char>((1 << 3) | 2));  // field 1, length-delimited
  for (uint64_t n = scored_bytes.size();; n >>= 7) {
    if (n < 0x80) {
      out.push_back(static_cast<char>(n));
      break;
    }
    out.push_back(static_cast<char>((n & 0x7F) | 0x80));
  }
  out.append(scored_bytes);
  msg.AppendToString(&out);
  return out;
}

// How an event's payload embeds the scored lead: copied from the whole
// record, or as the consumed bytes.
struct ScoredSource {
  const rv1::LeadAssigned* record = nullptr;  // set: the whole record
  std::string_view scored_bytes;              // else
  const std::string* record_raw = nullptr;

  std::string Record() const {
    return record != nullptr ? record->SerializeAsString() : *record_raw;
  }
  template <typename M>
  std::string With(M& msg) const {
    if (record == nullptr) return WithScored(scored_bytes, msg);
    *msg.mutable_scored() = record->scored();
    return msg.SerializeAsString();
  }
};

// leads.cohorts: the lead joined its submission cohort (cohort.h), with every
// decision on a prospect lead that counts in one.
void AddCohortJoined(const leadflow::scoring::v1::LeadScored& scored,
                     std::vector<kafka::OutgoingMessage>& out) {
  const auto cohort = CohortOf(scored);
  if (!cohort) return;
  const auto& meta = scored.lead().meta();
  rv1::LeadCohortJoined joined;
  joined.set_lead_id(meta.lead_id());
  joined.set_cohort_month(MonthName(cohort->month));
  joined.set_segment(cohort->segment);
  kafka::OutgoingMessage m;
  m.topic = topics::kLeadsCohorts;
  m.key = meta.lead_id();
  m.payload = joined.SerializeAsString();
  if (!meta.trace_id().empty()) m.headers.push_back({topics::kTraceHeader, meta.trace_id()});
  out.push_back(std::move(m));
}

Status Build(const leadflow::scoring::v1::LeadScored& scored, const rv1::Decision& d,
             const ScoredSource& src, const kafka::ConsumedMessage& source, int64_t now_ms,
             std::vector<kafka::OutgoingMessage>& out) {
  const auto& meta = scored.lead().meta();
  const bool customer = meta.relationship() == cv1::CUSTOMER;
  const bool prospect = meta.relationship() == cv1::PROSPECT;
  switch (d.outcome()) {
    case rv1::ASSIGNED:
    case rv1::NAMED_OWNER:
    case rv1::QUEUED:
    case rv1::REASSIGNED:
      if (!prospect) break;
      out.push_back(MakeEvent(topics::kLeadsAssigned, meta, source.key, src.Record()));
      AddCohortJoined(scored, out);
      return Status::Ok();
    case rv1::NURTURE: {
      if (!prospect) break;
      rv1::NurtureRequested n;
      *n.mutable_decision() = d;
      out.push_back(MakeEvent(topics::kLeadsNurture, meta, source.key, src.With(n)));
      AddCohortJoined(scored, out);
      return Status::Ok();
    }
    case rv1::CUSTOMER_INBOUND: {
      if (!customer) break;
      rv1::CustomerInbound c;
      *c.mutable_decision() = d;
      c.set_account_owner(scored.lead().account_owner());
      c.set_owner_team(d.team());
      out.push_back(MakeEvent(topics::kAccountsInbound, meta, source.key, src.With(c)));
      return Status::Ok();
    }
    case rv1::DISQUALIFIED: {
      const cv1::ReasonCode reason = scored.disqualification_reasons().empty()
                                         ? cv1::REASON_UNSPECIFIED
                                         : scored.disqualification_reasons(0);
      auto rejected = kafka::MakeRejection(
          source, leadflow::common::v1::ROUTING, reason,
          "disqualified by screening: " + cv1::ReasonCode_Name(reason), now_ms);
      rejected.set_disqualified(true);
      *rejected.mutable_meta() = meta;
      auto m = kafka::ToDeadLetterMessage(rejected);
      if (!meta.trace_id().empty()) m.headers.push_back({topics::kTraceHeader, meta.trace_id()});
      out.push_back(std::move(m));
      return Status::Ok();
    }
    default:
      return Status::Internal("recorded decision has no outcome");
  }
  return Status::InvalidArgument("routing would send a " +
                                     cv1::Relationship_Name(meta.relationship()) + " lead to " +
                                     rv1::RoutingOutcome_Name(d.outcome()) + ": blocked",
                                 cv1::AUDIENCE_MISMATCH);
}

}  // namespace

std::string EncodeRecord(const RecordParts& parts) {
  return WithScored(parts.scored_bytes, parts.rest);
}

Status BuildOutputs(const rv1::LeadAssigned& record, const kafka::ConsumedMessage& source,
                    int64_t now_ms, std::vector<kafka::OutgoingMessage>& out) {
  ScoredSource src;
  src.record = &record;
  return Build(record.scored(), record.decision(), src, source, now_ms, out);
}

Status BuildOutputs(const RecordParts& parts, const std::string& record_raw,
                    const kafka::ConsumedMessage& source, int64_t now_ms,
                    std::vector<kafka::OutgoingMessage>& out) {
  ScoredSource src;
  src.scored_bytes = parts.scored_bytes;
  src.record_raw = &record_raw;
  return Build(parts.scored, parts.rest.decision(), src, source, now_ms, out);
}

}  // namespace leadflow::routing
