#include "classify.h"

#include "common/kafka/topics.h"
#include "leadflow/common/v1/dead_letter.pb.h"

namespace leadflow::bench {

Classified Classify(const kafka::ConsumedMessage& m, const std::string& tag, const Ledger& ledger) {
  Classified c;
  const auto trace = m.FindHeader(topics::kTraceHeader);
  if (m.topic == topics::kLeadsRejected) {
    leadflow::common::v1::LeadRejected r;
    if (!r.ParseFromString(m.payload) || r.stage() == leadflow::common::v1::NURTURE) return c;
    c.outcome = r.disqualified() ? Outcome::kDisqualified : Outcome::kRejected;
    if (trace) {
      c.seq = ParseTraceId(tag, *trace);
    } else if (!r.meta().trace_id().empty()) {
      c.seq = ParseTraceId(tag, r.meta().trace_id());
    } else {
      c.seq = ledger.LookupPayload(PayloadHash(r.original()));
    }
    return c;
  }
  if (!trace) return c;
  c.seq = ParseTraceId(tag, *trace);
  if (m.topic == topics::kLeadsAccepted) {
    c.hop = 0;
  } else if (m.topic == topics::kLeadsScored) {
    c.hop = 1;
  } else if (m.topic == topics::kLeadsAssigned) {
    c.outcome = Outcome::kAssigned;
  } else if (m.topic == topics::kLeadsNurture) {
    c.outcome = Outcome::kNurture;
  } else if (m.topic == topics::kAccountsInbound) {
    c.outcome = Outcome::kCustomerInbound;
  } else {
    c.outcome = Outcome::kPassthrough;
  }
  return c;
}

}  // namespace leadflow::bench
