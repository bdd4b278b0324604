// The rule simulation's speed (issue 19.1: at least 50,000 leads a minute on
// one core) on the shipped rules (config/routing_rules.json) and a generated
// 50,000-lead history over five days (routing/domain/simulation_history_generator.h:
// batches, feedback, vacations, queue drains), one thread.
//
//   build/bench/simulation_bench --benchmark_min_time=3
//
// BM_SimulateUnchanged: RuleSimulation::Run with the rules the history was
// decided with (batch orders found on the first try; the diff is empty).
// BM_SimulateChangedWeight: one weight changed, so batches whose first order
// does not match history are searched for a better one (the costlier case).
// BM_DecideOnly is the same-run floor: Router::Decide once per lead on an
// empty rep snapshot, no replay around it. items_per_second counts leads of
// history replayed (x 60 for leads a minute); `changes` is the diff's size;
// scored, feedback and decisions are the history's record counts.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <iostream>

#include "common/config/proto_loader.h"
#include "routing/app/zoneinfo_loader.h"
#include "routing/domain/router.h"
#include "routing/domain/rule_simulation.h"
#include "routing/domain/simulation_history_generator.h"

namespace {

using namespace leadflow::routing;
using leadflow::config::v1::RoutingRules;

RoutingRules ShippedRules() {
  const char* root = std::getenv("LEADFLOW_SOURCE_DIR");
  const std::string path =
      std::string(root != nullptr ? root : LEADFLOW_REPO_ROOT) + "/config/routing_rules.json";
  RoutingRules rules;
  if (auto s = leadflow::config::LoadProtoFile(path, &rules); !s.ok()) {
    std::cerr << s.message() << "\n";
    std::abort();
  }
  return rules;
}

std::shared_ptr<const RoutingPolicy> Policy(RoutingRules rules) {
  auto p = RoutingPolicy::Create(std::move(rules), SystemZoneResolver());
  if (!p.ok()) {
    std::cerr << p.status().message() << "\n";
    std::abort();
  }
  return *p;
}

const SimulationHistory& History() {
  static const SimulationHistory h = [] {
    HistoryGeneratorOptions o;
    o.leads = 50000;
    o.days = 5;
    o.away_reps = {"sd-orlov", "mm-novikov", "ka-belova"};
    return GenerateHistory(Policy(ShippedRules()), o);
  }();
  return h;
}

void Run(benchmark::State& state, std::shared_ptr<const RoutingPolicy> policy) {
  const SimulationHistory& h = History();
  size_t changes = 0;
  for (auto _ : state) {
    SimulationReport r = RuleSimulation(policy).Run(h, {});
    changes = r.changes.size();
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(h.leads.size()));
  state.counters["changes"] = static_cast<double>(changes);
  state.counters["scored"] = static_cast<double>(h.leads.size());
  state.counters["feedback"] = static_cast<double>(h.feedback.size());
  state.counters["decisions"] = static_cast<double>(h.decisions.size());
}

void BM_SimulateUnchanged(benchmark::State& state) { Run(state, Policy(ShippedRules())); }
BENCHMARK(BM_SimulateUnchanged)->Unit(benchmark::kMillisecond);

void BM_SimulateChangedWeight(benchmark::State& state) {
  RoutingRules rules = ShippedRules();
  for (auto& team : *rules.mutable_teams()) {
    if (team.reps_size() > 1) team.mutable_reps(team.reps_size() - 1)->set_weight(5);
  }
  Run(state, Policy(std::move(rules)));
}
BENCHMARK(BM_SimulateChangedWeight)->Unit(benchmark::kMillisecond);

void BM_DecideOnly(benchmark::State& state) {
  const SimulationHistory& h = History();
  const auto policy = Policy(ShippedRules());
  const RepStateView empty;
  for (auto _ : state) {
    Router router(policy);
    for (const auto& lead : h.leads) {
      auto r = router.Decide(
          lead.scored, empty,
          std::chrono::system_clock::time_point(std::chrono::milliseconds(lead.at_ms)));
      benchmark::DoNotOptimize(r);
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(h.leads.size()));
}
BENCHMARK(BM_DecideOnly)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
