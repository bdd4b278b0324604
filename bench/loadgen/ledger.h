// Accounting of one load phase: when each lead was sent, which final outputs
// it produced and when. Answers "was every lead accounted for in exactly one
// output or rejection" and gives the end-to-end latencies.
//
// Leads are identified by sequence number 0..capacity-1; outputs find theirs
// through the trace id "<tag>-<seq>" (ParseTraceId) or, for rejections that
// carry no trace id, through a hash of the original payload (LookupPayload).
// Thread-safe: one thread may record sends while another records outputs.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "latency_stats.h"

namespace leadflow::bench {

enum class Outcome : uint8_t {
  kAssigned,         // leads.assigned (assigned, named owner or queued)
  kNurture,          // leads.nurture
  kCustomerInbound,  // accounts.inbound
  kRejected,         // leads.rejected, invalid input
  kDisqualified,     // leads.rejected, screened out
  kPassthrough,      // the baseline's last topic
};
inline constexpr int kOutcomeCount = 6;
const char* OutcomeName(Outcome o);

// "<tag>-<seq>" for lead `seq` of a phase tagged `tag`.
std::string TraceId(std::string_view tag, uint64_t seq);
// The seq of a trace id made by TraceId with the same tag; nullopt otherwise.
std::optional<uint32_t> ParseTraceId(std::string_view tag, std::string_view trace_id);

// FNV-1a, 64 bit.
uint64_t PayloadHash(std::string_view payload);

struct LedgerSummary {
  size_t sent = 0;
  size_t accounted_once = 0;  // exactly one final output
  size_t missing = 0;         // none
  size_t duplicated = 0;      // more than one
  size_t expected_invalid = 0;
  size_t invalid_not_rejected = 0;  // an invalid lead that got a decision (or nothing)
  size_t valid_rejected = 0;        // a valid lead rejected as invalid
  std::array<size_t, kOutcomeCount> by_outcome{};
  size_t unmatched_outputs = 0;  // outputs of this phase's topics naming no lead of it
  int64_t first_send_ns = 0, last_send_ns = 0, last_output_ns = 0;
  size_t warmup = 0;       // leads before the measured ones: accounted, not in the latencies
  LatencySummary latency;  // send -> first final output, all accounted measured leads
  // The same for the measured leads in send order, split into three equal
  // parts: a latency that grows from third to third means a backlog (the rate
  // is not sustained); one bad third, a burst.
  std::array<LatencySummary, 3> latency_by_third;
  // Per hop, for leads seen on the intermediate topics (pipeline only):
  // send -> leads.accepted (intake), -> leads.scored (scoring), -> output (routing).
  LatencySummary intake_hop, scoring_hop, routing_hop;
  double throughput_per_s = 0;  // accounted leads / (last output - first send)
  double offered_per_s = 0;     // sent / (last send - first send)
  bool Correct() const {
    return missing == 0 && duplicated == 0 && invalid_not_rejected == 0 && valid_rejected == 0;
  }
};

class Ledger {
 public:
  // Leads 0..warmup-1 are a warm-up: accounted like the others, left out of
  // the latency figures.
  explicit Ledger(size_t capacity, size_t warmup = 0);

  // Before producing lead `seq` at time `t_ns` (steady clock).
  void Sent(uint32_t seq, int64_t t_ns, bool expect_invalid, uint64_t payload_hash);
  // A final output of lead `seq` seen at `t_ns`.
  void Received(uint32_t seq, Outcome outcome, int64_t t_ns);
  // An output on a watched topic that belongs to no lead of this phase.
  void Unmatched();
  std::optional<uint32_t> LookupPayload(uint64_t payload_hash) const;
  // Lead `seq` seen on an intermediate topic: hop 0 = leads.accepted,
  // hop 1 = leads.scored (first sighting kept).
  void Intermediate(uint32_t seq, int hop, int64_t t_ns);

  size_t sent() const;
  // Leads with at least one final output.
  size_t accounted() const;
  // Measured leads whose latency is already over `limit_ns` at `now_ns`:
  // answered after more than the limit, or sent longer ago and not answered.
  size_t OverLimit(int64_t limit_ns, int64_t now_ns) const;

  LedgerSummary Summarize() const;

 private:
  struct Entry {
    int64_t sent_ns = -1;
    int64_t first_out_ns = -1;
    int64_t hop_ns[2] = {-1, -1};
    uint16_t outputs = 0;
    bool expect_invalid = false;
    bool any_rejection = false;
    bool any_decision = false;
  };
  mutable std::mutex mu_;
  std::vector<Entry> entries_;
  size_t warmup_ = 0;
  std::unordered_map<uint64_t, uint32_t> by_payload_;
  std::array<size_t, kOutcomeCount> by_outcome_{};
  size_t sent_ = 0, accounted_ = 0, unmatched_ = 0;
  int64_t first_send_ns_ = -1, last_send_ns_ = -1, last_output_ns_ = -1;
};

}  // namespace leadflow::bench
