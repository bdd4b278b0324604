#include "rate_search.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace leadflow::bench {

const char* SearchStopName(SearchStop s) {
  switch (s) {
    case SearchStop::kRunning:
      return "running";
    case SearchStop::kResolved:
      return "resolved";
    case SearchStop::kHeldAtMax:
      return "held at the maximum rate";
    case SearchStop::kNoneHeld:
      return "no rate held";
    case SearchStop::kBudget:
      return "time budget spent";
    case SearchStop::kLeadsLost:
      return "leads lost or duplicated";
  }
  return "unknown";
}

StepJudgement JudgeStep(const PhaseResult& passthrough, const PhaseResult& pipeline, double rate,
                        const SearchSettings& s) {
  StepJudgement j;
  char buf[200];
  if (!passthrough.ledger.Correct() || !pipeline.ledger.Correct()) {
    j.leads_lost = true;
    j.why = std::string("leads lost, duplicated or misjudged in the ") +
            (pipeline.ledger.Correct() ? "passthrough" : "pipeline");
    return j;
  }
  const double pt = passthrough.ledger.latency.p99_ms, pl = pipeline.ledger.latency.p99_ms;
  if (passthrough.ledger.latency.count == 0 || pipeline.ledger.latency.count == 0 || pt <= 0) {
    j.why = "no latency measured";
    return j;
  }
  j.p99_ratio = pl / pt;
  for (const auto* p : {&passthrough, &pipeline}) {
    // A stopped pipeline phase sent at the rate until it stopped; only the
    // generator falling short of the rate voids a step.
    if (p->ledger.offered_per_s < s.min_offered_share * rate) {
      std::snprintf(buf, sizeof buf, "the %s was offered only %.0f leads/s", p->path.c_str(),
                    p->ledger.offered_per_s);
      j.why = buf;
      return j;
    }
  }
  j.held = !pipeline.stopped_early && j.p99_ratio <= s.p99_factor;
  std::snprintf(buf, sizeof buf, "pipeline p99 %.1f ms vs passthrough %.1f ms: %.2fx %s %.2fx%s",
                pl, pt, j.p99_ratio, j.held ? "<=" : ">", s.p99_factor,
                pipeline.stopped_early ? " (stopped early: p99 certainly over)" : "");
  j.why = buf;
  return j;
}

bool P99CertainlyOver(size_t over, size_t planned) {
  if (planned == 0) return false;
  // Nearest rank: p99 is the ceil(0.99 n)-th smallest, so n - ceil(0.99 n) + 1
  // values over the limit put it over.
  const auto rank = static_cast<size_t>(std::ceil(0.99 * static_cast<double>(planned)));
  return over >= planned - rank + 1;
}

const SearchStep* RateSearchResult::Step(double rate) const {
  for (const auto& s : steps) {
    if (s.rate == rate) return &s;
  }
  return nullptr;
}

double RoundRate(double rate) {
  const double unit = rate >= 1000 ? 50 : 10;
  return std::round(rate / unit) * unit;
}

std::optional<double> RateSearch::Candidate() {
  if (!started_) return s_.start;
  if (failed_ == 0) {  // doubling
    if (held_ >= s_.max) {
      stop_ = SearchStop::kHeldAtMax;
      return std::nullopt;
    }
    return std::min(held_ * 2, s_.max);
  }
  if (held_ == 0) {  // the start failed: halve
    const double r = RoundRate(failed_ / 2);
    if (r < s_.floor) {
      stop_ = SearchStop::kNoneHeld;
      return std::nullopt;
    }
    return r;
  }
  const double mid = RoundRate((held_ + failed_) / 2);
  if (failed_ - held_ <= s_.resolution * held_ || mid <= held_ || mid >= failed_) {
    stop_ = SearchStop::kResolved;
    return std::nullopt;
  }
  return mid;
}

std::optional<double> RateSearch::Next(double elapsed_seconds, double step_seconds) {
  if (stop_ != SearchStop::kRunning) return std::nullopt;
  auto r = Candidate();
  if (r && elapsed_seconds + step_seconds > s_.budget_seconds) {
    stop_ = SearchStop::kBudget;
    return std::nullopt;
  }
  return r;
}

void RateSearch::Record(double rate, bool held) {
  started_ = true;
  if (held) {
    held_ = std::max(held_, rate);
  } else if (failed_ == 0 || rate < failed_) {
    failed_ = rate;
  }
}

}  // namespace leadflow::bench
