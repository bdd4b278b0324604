// The bench report: per-phase results, the baseline ratios and the targets,
// as JSON (for machines) and as a human summary. Pure formatting; the
// functions keep no state and may be called from any thread.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "phase_result.h"
#include "rate_search.h"

namespace leadflow::bench {

// Issue 21's "Done when", each judged from one run against that run's
// passthrough.
struct Targets {
  double min_held_rate = 4000;         // leads/s held by the rate search
  double max_p99_ratio = 1.5;          // pipeline p99 / passthrough p99, at rate_for_latency
  double rate_for_latency = 2000;      // the pipeline-rate and passthrough-rate phases' rate
  double min_throughput_ratio = 0.25;  // flat out, pipeline / passthrough
  // redis-server CPU per lead at rate_for_latency must be at most half of
  // this baseline (microseconds per lead); 0: not judged.
  double redis_us_per_lead_baseline = 0;
  double max_rss_mb = 100;  // per service, at rate_for_latency (an earlier target, kept)
};

struct RunReport {
  std::string started_at;  // ISO 8601 UTC
  std::string machine;     // one line: CPU model, cores, kernel, load average
  uint64_t seed = 0;
  Targets targets;
  std::vector<PhaseResult> phases;
  std::optional<RateSearchResult> search;  // when the rate-search phase ran
};

// Derived figures, each with met/missed against the targets.
struct Verdict {
  bool have_throughput = false, have_latency = false, have_search = false, have_redis = false;
  // Flat out: pipeline / passthrough.
  double pipeline_throughput = 0, passthrough_throughput = 0, throughput_ratio = 0;
  // At rate_for_latency: the pipeline's p99 against the same run's passthrough.
  double p99_at_rate_ms = 0, passthrough_p99_at_rate_ms = 0, p99_ratio_at_rate = 0;
  // The rate search: the rate held, and its p99 ratio.
  double held_rate = 0, held_p99_ratio = 0;
  // redis-server CPU per lead at rate_for_latency, and the target (half the baseline; 0 if none).
  double redis_us_per_lead = 0, redis_us_per_lead_target = 0;
  double max_service_rss_mb = 0;
  bool throughput_met = false, latency_met = false, held_met = false, redis_met = false;
  bool memory_met = false, correctness_met = false;
};

// Repeated runs of one phase (in run order): the run with the median
// throughput gets `name` (the one Judge reads), the others "<name>-run<k>"
// (k = 1-based position). With an even count the lower median is taken.
void NameMedianRun(std::vector<PhaseResult>& runs, const std::string& name);

// Picks phases by name: "<path>-flat-out" and "<path>-rate", and the search.
// Correctness covers every phase and every search step.
Verdict Judge(const RunReport& report);

// "a / b / c": the p99 in ms of each third of the measured leads, or "-".
std::string P99ByThird(const LedgerSummary& l);

nlohmann::ordered_json ToJson(const RunReport& report);
std::string ToText(const RunReport& report);

}  // namespace leadflow::bench
