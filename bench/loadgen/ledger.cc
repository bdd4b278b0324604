#include "ledger.h"

#include <algorithm>
#include <charconv>

namespace leadflow::bench {

const char* OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kAssigned:
      return "assigned";
    case Outcome::kNurture:
      return "nurture";
    case Outcome::kCustomerInbound:
      return "customer_inbound";
    case Outcome::kRejected:
      return "rejected";
    case Outcome::kDisqualified:
      return "disqualified";
    case Outcome::kPassthrough:
      return "passthrough";
  }
  return "unknown";
}

std::string TraceId(std::string_view tag, uint64_t seq) {
  std::string s(tag);
  s += '-';
  s += std::to_string(seq);
  return s;
}

std::optional<uint32_t> ParseTraceId(std::string_view tag, std::string_view trace_id) {
  if (trace_id.size() <= tag.size() + 1 || trace_id.substr(0, tag.size()) != tag ||
      trace_id[tag.size()] != '-') {
    return std::nullopt;
  }
  const char* b = trace_id.data() + tag.size() + 1;
  const char* e = trace_id.data() + trace_id.size();
  uint32_t v = 0;
  auto [p, ec] = std::from_chars(b, e, v);
  if (ec != std::errc() || p != e) return std::nullopt;
  return v;
}

uint64_t PayloadHash(std::string_view payload) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : payload) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

Ledger::Ledger(size_t capacity, size_t warmup)
    : entries_(capacity), warmup_(std::min(warmup, capacity)) {
  by_payload_.reserve(capacity);
}

void Ledger::Sent(uint32_t seq, int64_t t_ns, bool expect_invalid, uint64_t payload_hash) {
  std::lock_guard lock(mu_);
  if (seq >= entries_.size()) return;
  auto& e = entries_[seq];
  if (e.sent_ns < 0) ++sent_;
  e.sent_ns = t_ns;
  e.expect_invalid = expect_invalid;
  by_payload_[payload_hash] = seq;
  if (first_send_ns_ < 0) first_send_ns_ = t_ns;
  last_send_ns_ = t_ns;
}

void Ledger::Received(uint32_t seq, Outcome outcome, int64_t t_ns) {
  std::lock_guard lock(mu_);
  if (seq >= entries_.size() || entries_[seq].sent_ns < 0) {
    ++unmatched_;
    return;
  }
  auto& e = entries_[seq];
  if (e.outputs++ == 0) {
    e.first_out_ns = t_ns;
    ++accounted_;
    ++by_outcome_[static_cast<int>(outcome)];
    if (t_ns > last_output_ns_) last_output_ns_ = t_ns;
  }
  if (outcome == Outcome::kRejected) {
    e.any_rejection = true;
  } else {
    e.any_decision = true;
  }
}

void Ledger::Intermediate(uint32_t seq, int hop, int64_t t_ns) {
  std::lock_guard lock(mu_);
  if (seq >= entries_.size() || hop < 0 || hop > 1) return;
  auto& h = entries_[seq].hop_ns[hop];
  if (h < 0) h = t_ns;
}

void Ledger::Unmatched() {
  std::lock_guard lock(mu_);
  ++unmatched_;
}

std::optional<uint32_t> Ledger::LookupPayload(uint64_t payload_hash) const {
  std::lock_guard lock(mu_);
  auto it = by_payload_.find(payload_hash);
  if (it == by_payload_.end()) return std::nullopt;
  return it->second;
}

size_t Ledger::sent() const {
  std::lock_guard lock(mu_);
  return sent_;
}

size_t Ledger::accounted() const {
  std::lock_guard lock(mu_);
  return accounted_;
}

size_t Ledger::OverLimit(int64_t limit_ns, int64_t now_ns) const {
  std::lock_guard lock(mu_);
  size_t over = 0;
  for (size_t i = warmup_; i < entries_.size(); ++i) {
    const auto& e = entries_[i];
    if (e.sent_ns < 0) continue;
    const int64_t end = e.outputs > 0 ? e.first_out_ns : now_ns;
    over += end - e.sent_ns > limit_ns;
  }
  return over;
}

LedgerSummary Ledger::Summarize() const {
  std::lock_guard lock(mu_);
  LedgerSummary s;
  s.sent = sent_;
  s.by_outcome = by_outcome_;
  s.unmatched_outputs = unmatched_;
  s.first_send_ns = first_send_ns_;
  s.last_send_ns = last_send_ns_;
  s.last_output_ns = last_output_ns_;
  s.warmup = warmup_;
  std::vector<int64_t> lat, h0, h1, h2, thirds[3];
  const size_t measured = sent_ > warmup_ ? sent_ - warmup_ : 0;  // sent in seq order
  lat.reserve(accounted_);
  const bool passthrough = by_outcome_[static_cast<int>(Outcome::kPassthrough)] > 0;
  for (size_t i = 0; i < entries_.size(); ++i) {
    const auto& e = entries_[i];
    if (e.sent_ns < 0) continue;
    if (e.expect_invalid) ++s.expected_invalid;
    if (e.outputs == 0) {
      ++s.missing;
    } else {
      if (i >= warmup_) lat.push_back(e.first_out_ns - e.sent_ns);
      if (i >= warmup_ && i < warmup_ + measured) {
        thirds[(i - warmup_) * 3 / measured].push_back(e.first_out_ns - e.sent_ns);
      }
      if (i >= warmup_ && e.hop_ns[0] >= 0 && e.hop_ns[1] >= 0 && e.any_decision) {
        h0.push_back(e.hop_ns[0] - e.sent_ns);
        h1.push_back(e.hop_ns[1] - e.hop_ns[0]);
        h2.push_back(e.first_out_ns - e.hop_ns[1]);
      }
      if (e.outputs == 1) {
        ++s.accounted_once;
      } else {
        ++s.duplicated;
      }
    }
    if (passthrough) continue;  // the baseline has no logic: nothing is rejected
    if (e.expect_invalid && (e.outputs == 0 || e.any_decision)) ++s.invalid_not_rejected;
    if (!e.expect_invalid && e.any_rejection) ++s.valid_rejected;
  }
  s.latency = bench::Summarize(lat);
  for (int k = 0; k < 3; ++k) s.latency_by_third[k] = bench::Summarize(thirds[k]);
  s.intake_hop = bench::Summarize(h0);
  s.scoring_hop = bench::Summarize(h1);
  s.routing_hop = bench::Summarize(h2);
  s.throughput_per_s = Throughput(accounted_, first_send_ns_, last_output_ns_);
  s.offered_per_s = Throughput(sent_, first_send_ns_, last_send_ns_);
  return s;
}

}  // namespace leadflow::bench
