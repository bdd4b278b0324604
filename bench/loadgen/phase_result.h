// One load phase's result: the ledger's accounting and latencies, and what the
// measured processes and redis-server spent on it. Plain data.
#pragma once

#include <map>
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
  // Sending stopped before the planned count because the phase's latency limit
  // was already certain to be exceeded (a failed rate-search step).
  bool stopped_early = false;
  LedgerSummary ledger;
  std::vector<ProcessUsage> processes;
  // Redis commands per sent lead during the phase (pipeline, local stack).
  std::map<std::string, double> redis_calls_per_lead;
  // redis-server's execution time per sent lead, by command (INFO commandstats
  // usec). A script's time (evalsha) includes the commands it calls, which are
  // also counted under their own names.
  std::map<std::string, double> redis_usec_per_lead;
};

// CPU time of the measured process `name` per sent lead, in microseconds; 0
// when the process was not measured or nothing was sent.
inline double CpuUsecPerLead(const PhaseResult& p, const std::string& name) {
  if (p.ledger.sent == 0) return 0;
  for (const auto& u : p.processes) {
    if (u.name == name) return u.cpu_seconds * 1e6 / static_cast<double>(p.ledger.sent);
  }
  return 0;
}

}  // namespace leadflow::bench
