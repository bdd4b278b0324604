// Which lead of a phase an output record belongs to, and as what outcome.
// Pure: decodes the record only (a LeadRejected on leads.rejected).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/kafka/message.h"
#include "ledger.h"

namespace leadflow::bench {

struct Classified {
  std::optional<uint32_t> seq;  // nullopt: not a lead of this phase (or not an outcome)
  Outcome outcome = Outcome::kAssigned;
  int hop = -1;  // 0 / 1: seen on leads.accepted / leads.scored (a hop, not an outcome)
};

// Records of leads.assigned, leads.nurture, accounts.inbound and the
// passthrough's last topic are found by their trace-id header "<tag>-<seq>".
// On leads.rejected: rejections by the nurture stage are not a lead's outcome
// (nullopt); the others are found by header, by meta.trace_id, or (intake
// rejections, which carry neither) by the hash of the original bytes in the
// ledger; disqualified ones count as kDisqualified.
Classified Classify(const kafka::ConsumedMessage& message, const std::string& tag,
                    const Ledger& ledger);

}  // namespace leadflow::bench
