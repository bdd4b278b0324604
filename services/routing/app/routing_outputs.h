// Turns a recorded routing decision into the Kafka events it implies. The
// same record always yields the same events, which is what lets a redelivered
// leads.scored message re-emit its original decision.
//
// Topic by outcome (the customer/prospect wall):
//   ASSIGNED, NAMED_OWNER, QUEUED -> leads.assigned   (LeadAssigned; prospects only)
//   NURTURE                       -> leads.nurture    (NurtureRequested; prospects only)
//   CUSTOMER_INBOUND              -> accounts.inbound (CustomerInbound; customers only)
//   DISQUALIFIED                  -> leads.rejected   (LeadRejected, stage ROUTING)
// A record that would break the wall is refused with AUDIENCE_MISMATCH.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/kafka/message.h"
#include "common/util/status.h"
#include "leadflow/routing/v1/routing.pb.h"
#include "leadflow/scoring/v1/scoring.pb.h"

namespace leadflow::routing {

Status BuildOutputs(const leadflow::routing::v1::LeadAssigned& record,
                    const kafka::ConsumedMessage& source, int64_t now_ms,
                    std::vector<kafka::OutgoingMessage>& out);

// A decision record as the leads.scored path holds it, so the scored lead is
// never copied or serialised again: the lead parsed (for its fields) and as
// the consumed bytes, and the rest of the record (decision, SLA) with its
// `scored` field unset.
struct RecordParts {
  const leadflow::scoring::v1::LeadScored& scored;
  std::string_view scored_bytes;
  const leadflow::routing::v1::LeadAssigned& rest;
};

// The record's LeadAssigned bytes: the same as serialising the whole record
// when the consumed bytes are the lead's canonical serialisation (the
// scoring service's), and a valid encoding of it in any case.
std::string EncodeRecord(const RecordParts& parts);

// BuildOutputs of the record `parts` describe; `record_raw` is
// EncodeRecord(parts) (a leads.assigned event carries exactly those bytes).
Status BuildOutputs(const RecordParts& parts, const std::string& record_raw,
                    const kafka::ConsumedMessage& source, int64_t now_ms,
                    std::vector<kafka::OutgoingMessage>& out);

// Sets a Timestamp from unix milliseconds.
void SetMillis(google::protobuf::Timestamp* ts, int64_t ms);
int64_t ToMillis(const google::protobuf::Timestamp& ts);

// Key (account key, else the source key) and trace header for an event about `meta`.
kafka::OutgoingMessage MakeEvent(const char* topic, const leadflow::common::v1::LeadMeta& meta,
                                 const std::string& fallback_key,
                                 const google::protobuf::Message& payload);
kafka::OutgoingMessage MakeEvent(const char* topic, const leadflow::common::v1::LeadMeta& meta,
                                 const std::string& fallback_key, std::string payload);

}  // namespace leadflow::routing
