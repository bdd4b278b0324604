#include "search_runner.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "report.h"

namespace leadflow::bench {
namespace {

double SecondsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

PhaseSpec StepPhase(const std::string& path, double rate, const SearchSettings& s, int index) {
  PhaseSpec p;
  p.path = path;
  p.name = path + "-search-" + std::to_string(static_cast<int>(rate));
  p.rate = rate;
  p.warmup = static_cast<size_t>(rate * s.warmup_seconds);
  p.count = p.warmup + static_cast<size_t>(rate * s.window_seconds);
  p.index = index;
  return p;
}

// The passthrough, then the pipeline with the limit the passthrough set.
SearchStep RunStep(PhaseRunner& runner, const SearchSettings& s, double rate, int& index) {
  SearchStep step;
  step.rate = rate;
  const auto t0 = std::chrono::steady_clock::now();
  step.passthrough = runner.Run(StepPhase("passthrough", rate, s, index++));
  if (step.passthrough.ledger.Correct()) {
    PhaseSpec pipeline = StepPhase("pipeline", rate, s, index++);
    pipeline.latency_limit_ms = s.p99_factor * step.passthrough.ledger.latency.p99_ms;
    step.pipeline = runner.Run(pipeline);
  }
  step.judgement = JudgeStep(step.passthrough, step.pipeline, rate, s);
  step.seconds = SecondsSince(t0);
  return step;
}

}  // namespace

RateSearchResult RunRateSearch(PhaseRunner& runner, const SearchSettings& settings, int& index) {
  RateSearchResult result;
  result.settings = settings;
  RateSearch search(settings);
  const auto t0 = std::chrono::steady_clock::now();
  // Until a step has run: both phases' sending plus a few seconds of
  // consumer skipping, draining and the trailing wait.
  double step_seconds = 2 * (settings.warmup_seconds + settings.window_seconds) + 4;
  while (auto rate = search.Next(SecondsSince(t0), step_seconds)) {
    std::fprintf(stderr, "rate-search step %zu: %.0f leads/s, passthrough then pipeline...\n",
                 result.steps.size() + 1, *rate);
    SearchStep step = RunStep(runner, settings, *rate, index);
    step_seconds = std::max(step_seconds, step.seconds);
    const auto& j = step.judgement;
    std::fprintf(stderr, "  %.0f leads/s: %s (pipeline p99 by third: %s ms): %s\n", *rate,
                 j.why.c_str(), P99ByThird(step.pipeline.ledger).c_str(),
                 j.leads_lost ? "LEADS LOST"
                 : j.held     ? "HELD"
                              : "failed");
    if (j.leads_lost) {
      search.Abort();
    } else {
      search.Record(*rate, j.held);
    }
    result.steps.push_back(std::move(step));
    std::fprintf(stderr, "  (%.0f s of the %.0f s budget; held so far %.0f leads/s)\n",
                 SecondsSince(t0), settings.budget_seconds, search.held_rate());
  }
  result.held_rate = search.held_rate();
  result.failed_rate = search.failed_rate();
  result.stop = search.stop();
  result.seconds = SecondsSince(t0);
  return result;
}

}  // namespace leadflow::bench
