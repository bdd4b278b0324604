// The rate search (issue 21): the highest offered rate at which the pipeline's
// p99 stays within a factor (1.5) of the passthrough's p99 measured at that
// same rate in the same run. Pure: which rate to try next, how a step is
// judged, and when a step's failure is already certain. The phases
// themselves are run by RunRateSearch (search_runner.h).
//
// The search doubles from `start` while the steps hold (up to `max`), then
// bisects between the highest rate held and the lowest that failed until they
// are within `resolution` of each other. It stops early when the next step
// would end past `budget_seconds`.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "phase_result.h"

namespace leadflow::bench {

struct SearchSettings {
  double start = 500;        // leads/s, the first step
  double max = 16000;        // leads/s, doubling stops here
  double floor = 100;        // a start that fails halves down to here, no lower
  double resolution = 0.10;  // done when (failed - held) <= resolution * held
  double budget_seconds = 240;
  double warmup_seconds = 2;       // per phase of a step, excluded from the percentiles
  double window_seconds = 8;       // per phase of a step, measured
  double p99_factor = 1.5;         // held: pipeline p99 <= factor * passthrough p99
  double min_offered_share = 0.9;  // a step offered below this share of its rate proves nothing
};

enum class SearchStop {
  kRunning,
  kResolved,   // held and failed rates within the resolution
  kHeldAtMax,  // every step held up to `max`
  kNoneHeld,   // failed down to `floor`
  kBudget,     // the next step would have ended past the budget
  kLeadsLost,  // a step lost or duplicated leads: the run fails
};
const char* SearchStopName(SearchStop s);

struct StepJudgement {
  bool held = false;
  bool leads_lost = false;  // missing or duplicated leads, or wrong verdicts, in either phase
  double p99_ratio = 0;     // pipeline p99 / passthrough p99; 0 when not comparable
  std::string why;          // one line: the comparison, or why there was none
};

// One step: the passthrough, then the pipeline, at `rate`.
StepJudgement JudgeStep(const PhaseResult& passthrough, const PhaseResult& pipeline, double rate,
                        const SearchSettings& s);

// Whether a phase's p99 (nearest rank over `planned` measured leads) already
// exceeds its limit: `over` leads have taken (or are still taking) longer
// than the limit, more than the 1 % of `planned` that p99 may leave out.
bool P99CertainlyOver(size_t over, size_t planned);

struct SearchStep {
  double rate = 0;
  PhaseResult passthrough, pipeline;
  StepJudgement judgement;
  double seconds = 0;  // wall time of the whole step
};

struct RateSearchResult {
  SearchSettings settings;
  std::vector<SearchStep> steps;
  double held_rate = 0;    // highest rate held; 0 if none
  double failed_rate = 0;  // lowest rate failed above it; 0 if none
  SearchStop stop = SearchStop::kRunning;
  double seconds = 0;
  const SearchStep* Step(double rate) const;  // the step run at `rate`, if any
};

class RateSearch {
 public:
  explicit RateSearch(SearchSettings s) : s_(s) {}

  // The next rate to try, or nullopt when the search is over (stop() says
  // why). `elapsed_seconds` since the search began; `step_seconds` the
  // expected length of one step (the longest so far).
  std::optional<double> Next(double elapsed_seconds, double step_seconds);
  void Record(double rate, bool held);
  void Abort() { stop_ = SearchStop::kLeadsLost; }

  double held_rate() const { return held_; }
  double failed_rate() const { return failed_; }
  SearchStop stop() const { return stop_; }

 private:
  std::optional<double> Candidate();

  SearchSettings s_;
  double held_ = 0, failed_ = 0;  // 0: none yet
  bool started_ = false;
  SearchStop stop_ = SearchStop::kRunning;
};

// A bisection midpoint rounded for a readable table: to 50 leads/s from
// 1,000/s, to 10 below.
double RoundRate(double rate);

}  // namespace leadflow::bench
