// A deterministic synthetic history for the rule simulation's tests and
// benchmark (docs/simulation.md): leads over some days in consumer-sized
// batches, decided by a stand-in for the live engine (the real Router on a
// per-batch snapshot of rep state, claims counted as routing_engine.cc
// does, queues drained when a slot frees, a rep returns or a batch comes),
// with sales feedback (accept within the SLA, then close or reject) and rep
// availability changes. The decisions it records are what "history" says
// routing decided, so replaying the same rules must reproduce them.
//
// Pure; the same options and policy give the same history.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "routing/domain/routing_policy.h"
#include "routing/domain/simulation_history.h"

namespace leadflow::routing {

// What to generate: `leads` leads over `days` days from `start_ms`.
struct HistoryGeneratorOptions {
  int leads = 50000, days = 5;
  uint64_t seed = 42;
  int64_t start_ms = 1793577600000;  // Monday 2026-11-02 00:00 UTC
  int partitions = 3;
  int64_t batch_window_ms = 20000;  // leads arriving within one window share a batch
  // Rep ids whose availability changes (VACATION for a day from day 1
  // noon, PAUSED for six hours on day 3); unknown ids are ignored.
  std::vector<std::string> away_reps;
};

// Leads use the regions, segments, deal bands and channels of the test rules
// (routing/testing/routing_test_util.h SampleRules); any policy works.
SimulationHistory GenerateHistory(std::shared_ptr<const RoutingPolicy> live,
                                  const HistoryGeneratorOptions& options);

}  // namespace leadflow::routing
