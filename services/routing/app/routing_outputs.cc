#include "routing/app/routing_outputs.h"

#include "common/kafka/dead_letter.h"
#include "common/kafka/topics.h"

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
                                 const std::string& fallback_key,
                                 const google::protobuf::Message& payload) {
  kafka::OutgoingMessage m;
  m.topic = topic;
  m.key = meta.account_key().empty() ? fallback_key : meta.account_key();
  payload.SerializeToString(&m.payload);
  if (!meta.trace_id().empty()) m.headers.push_back({topics::kTraceHeader, meta.trace_id()});
  return m;
}

Status BuildOutputs(const rv1::LeadAssigned& record, const kafka::ConsumedMessage& source,
                    int64_t now_ms, std::vector<kafka::OutgoingMessage>& out) {
  const auto& scored = record.scored();
  const auto& meta = scored.lead().meta();
  const auto& d = record.decision();
  const bool customer = meta.relationship() == cv1::CUSTOMER;
  const bool prospect = meta.relationship() == cv1::PROSPECT;
  switch (d.outcome()) {
    case rv1::ASSIGNED:
    case rv1::NAMED_OWNER:
    case rv1::QUEUED:
    case rv1::REASSIGNED:
      if (!prospect) break;
      out.push_back(MakeEvent(topics::kLeadsAssigned, meta, source.key, record));
      return Status::Ok();
    case rv1::NURTURE: {
      if (!prospect) break;
      rv1::NurtureRequested n;
      *n.mutable_scored() = scored;
      *n.mutable_decision() = d;
      out.push_back(MakeEvent(topics::kLeadsNurture, meta, source.key, n));
      return Status::Ok();
    }
    case rv1::CUSTOMER_INBOUND: {
      if (!customer) break;
      rv1::CustomerInbound c;
      *c.mutable_scored() = scored;
      *c.mutable_decision() = d;
      c.set_account_owner(scored.lead().account_owner());
      c.set_owner_team(d.team());
      out.push_back(MakeEvent(topics::kAccountsInbound, meta, source.key, c));
      return Status::Ok();
    }
    case rv1::DISQUALIFIED: {
      const cv1::ReasonCode reason = scored.disqualification_reasons().empty()
                                         ? cv1::REASON_UNSPECIFIED
                                         : scored.disqualification_reasons(0);
      auto rejected = kafka::MakeRejection(
          source, leadflow::intake::v1::ROUTING, reason,
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

}  // namespace leadflow::routing
