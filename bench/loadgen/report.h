// The bench report: per-phase results, the baseline ratios and the targets,
// as JSON (for machines) and as a human summary. Pure formatting; the
// functions keep no state and may be called from any thread.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ledger.h"

namespace leadflow::bench {

struct ProcessUsage {
  std::string name;  // e.g. "intake", "passthrough-1", "redis", "devkafka", "loadgen"
  double cpu_seconds = 0;
  double cpu_cores = 0;  // cpu_seconds / phase wall time
  double rss_max_mb = 0;
  double rss_end_mb = 0;
};

struct PhaseResult {
  std::string name;        // e.g. "pipeline-flat-out"
  std::string path;        // "pipeline" or "passthrough"
  double target_rate = 0;  // leads/s; 0 = flat out
  double wall_seconds = 0;
  bool drained = true;  // every sent lead accounted before the drain timeout
  LedgerSummary ledger;
  std::vector<ProcessUsage> processes;
  // Redis commands per sent lead during the phase (pipeline, local stack).
  std::map<std::string, double> redis_calls_per_lead;
  // redis-server's execution time per sent lead, by command (INFO commandstats
  // usec). A script's time (evalsha) includes the commands it calls, which are
  // also counted under their own names.
  std::map<std::string, double> redis_usec_per_lead;
};

struct Targets {
  double min_throughput_ratio = 0.5;
  double max_p99_ms_at_rate = 50;
  double rate_for_latency = 2000;
  double max_rss_mb = 100;
};

struct RunReport {
  std::string started_at;  // ISO 8601 UTC
  std::string machine;     // one line: CPU model, cores, kernel, load average
  uint64_t seed = 0;
  Targets targets;
  std::vector<PhaseResult> phases;
};

// Derived figures: throughput ratio pipeline/passthrough (flat out), p99 and
// RSS at the fixed rate, each with met/missed against the targets.
struct Verdict {
  double pipeline_throughput = 0, passthrough_throughput = 0, throughput_ratio = 0;
  double p99_at_rate_ms = 0, passthrough_p99_at_rate_ms = 0;
  double max_service_rss_mb = 0;
  bool throughput_met = false, latency_met = false, memory_met = false, correctness_met = false;
  bool have_throughput = false, have_latency = false;
};

// Repeated runs of one phase (in run order): the run with the median
// throughput gets `name` (the one Judge reads), the others "<name>-run<k>"
// (k = 1-based position). With an even count the lower median is taken.
void NameMedianRun(std::vector<PhaseResult>& runs, const std::string& name);

// Picks phases by name: "<path>-flat-out" and "<path>-rate".
Verdict Judge(const RunReport& report);

nlohmann::ordered_json ToJson(const RunReport& report);
std::string ToText(const RunReport& report);

}  // namespace leadflow::bench
