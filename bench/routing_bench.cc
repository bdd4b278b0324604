// The routing decision's CPU cost on the shipped rules (config/routing_rules.json).
//
//   build/bench/routing_bench
//
// BM_RouteDecision: Router::Decide over a mix of scored leads (MQL prospects
// of every segment and deal band, a customer, a named account candidate, a
// below-MQL lead, a disqualified one) against a rep-state snapshot with some
// load, as the routing service calls it per lead (decision path included).
// BM_CopyScoredLead is the same-run trivial baseline: copying the LeadScored
// input (the recorded LeadAssigned embeds such a copy).
//
// BM_RouteLeads/N: the whole leads.scored handler (RoutingEngine) against a
// real redis-server started for the run, on a traffic-like mix (half below
// MQL, a fifth customers, a tenth disqualified, a fifth MQLs), N messages per
// call: /1 is the one-message handler (Handle), /100 a consumer batch
// (HandleBatch: one read, one claim pipeline per wave). CPU time is this
// process's (the routing side); the redis-server's work is not in it. The
// wall time per lead includes the round trips.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <iostream>

#include "common/config/proto_loader.h"
#include "common/kafka/topics.h"
#include "common/metrics/registry.h"
#include "common/metrics/service_metrics.h"
#include "routing/app/routing_keys.h"
#include "routing/app/routing_engine.h"
#include "routing/app/routing_privacy.h"
#include "routing/app/zoneinfo_loader.h"
#include "routing/domain/router.h"
#include "bench_redis.h"
#include "common/testing/redis_server.h"

namespace {

using namespace leadflow::routing;
namespace cv1 = leadflow::common::v1;

std::shared_ptr<const RoutingPolicy> ShippedPolicy() {
  static std::shared_ptr<const RoutingPolicy> policy = [] {
    const char* root = std::getenv("LEADFLOW_SOURCE_DIR");
    const std::string path =
        std::string(root != nullptr ? root : LEADFLOW_REPO_ROOT) + "/config/routing_rules.json";
    leadflow::config::v1::RoutingRules rules;
    if (auto s = leadflow::config::LoadProtoFile(path, &rules); !s.ok()) {
      std::cerr << s.message() << "\n";
      std::abort();
    }
    auto p = RoutingPolicy::Create(std::move(rules), SystemZoneResolver());
    if (!p.ok()) {
      std::cerr << p.status().message() << "\n";
      std::abort();
    }
    return *p;
  }();
  return policy;
}

std::vector<leadflow::scoring::v1::LeadScored> Leads() {
  std::vector<leadflow::scoring::v1::LeadScored> v;
  const cv1::Segment segments[] = {cv1::ENTERPRISE, cv1::GOVERNMENT, cv1::INFRASTRUCTURE,
                                   cv1::MID_MARKET, cv1::SMB};
  const cv1::DealBand bands[] = {cv1::DEAL_BAND_SMALL, cv1::DEAL_BAND_STANDARD,
                                 cv1::DEAL_BAND_LARGE};
  const char* regions[] = {"RU-MOW", "RU-SPE", "RU-SVE", "RU-NVS"};
  int n = 0;
  for (auto seg : segments) {
    for (auto band : bands) {
      leadflow::scoring::v1::LeadScored s;
      auto* lead = s.mutable_lead();
      lead->mutable_meta()->set_lead_id("L-bench-" + std::to_string(n));
      lead->mutable_meta()->set_trace_id("trace-" + std::to_string(n));
      lead->mutable_meta()->set_account_key("company" + std::to_string(n) + ".example.ru");
      lead->mutable_meta()->set_relationship(cv1::PROSPECT);
      lead->mutable_meta()->mutable_first_submitted_at()->set_seconds(1763700000);
      lead->mutable_company()->set_region(regions[n % 4]);
      lead->mutable_contact()->set_email("a" + std::to_string(n) + "@company.example.ru");
      lead->set_sales_channel(n % 5 == 4 ? cv1::PARTNER : cv1::DIRECT);
      s.set_segment(seg);
      s.set_deal_band(band);
      s.set_lifecycle_stage(n % 3 == 2 ? cv1::LEAD : cv1::MQL);
      s.set_total_score(120 + n);
      s.set_revision(1);
      v.push_back(s);
      ++n;
    }
  }
  auto customer = v[0];
  customer.mutable_lead()->mutable_meta()->set_relationship(cv1::CUSTOMER);
  customer.mutable_lead()->set_account_owner("ka-vorontsov");
  customer.mutable_lead()->set_owner_team("key-accounts");
  v.push_back(customer);
  auto disq = v[1];
  disq.add_disqualification_reasons(cv1::SCREENED_REGION);
  disq.set_lifecycle_stage(cv1::DISQUALIFIED);
  v.push_back(disq);
  return v;
}

RepStateView SomeLoad() {
  RepStateView reps;
  reps.Set("ka-vorontsov", {leadflow::routing::v1::ACTIVE, 10, 2, {}});
  reps.Set("ent-morozov", {leadflow::routing::v1::ACTIVE, 19, 4, {}});
  reps.Set("mm-pavlova", {leadflow::routing::v1::PAUSED, 0, 0, {}});
  return reps;
}

// Friday 2025-11-21 12:00 Moscow: inside working hours.
const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1763715600));

void BM_CopyScoredLead(benchmark::State& state) {
  const auto leads = Leads();
  leadflow::scoring::v1::LeadScored copy;
  size_t i = 0;
  for (auto _ : state) {
    copy = leads[i++ % leads.size()];
    benchmark::DoNotOptimize(copy);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CopyScoredLead);

void BM_RouteDecision(benchmark::State& state) {
  const auto leads = Leads();
  const auto reps = SomeLoad();
  Router router(ShippedPolicy());
  size_t i = 0;
  for (auto _ : state) {
    auto r = router.Decide(leads[i++ % leads.size()], reps, kNow);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RouteDecision);

// One routing service's engine on its own redis-server.
struct EngineRig {
  std::unique_ptr<leadflow::testing::RedisServer> server;
  std::unique_ptr<leadflow::redis::Client> client;
  std::unique_ptr<RoutingStore> store;
  leadflow::metrics::Registry registry;
  leadflow::metrics::ServiceMetrics service_metrics{registry, "routing"};
  std::unique_ptr<RoutingMetrics> metrics;
  AssignmentBroadcaster broadcaster;
  leadflow::FakeClock clock{1763715600000};  // inside working hours
  std::unique_ptr<RoutingEngine> engine;
};

EngineRig& Rig() {
  static EngineRig* rig = [] {
    auto* r = new EngineRig();
    auto redis = leadflow::bench::StartBenchRedisOrAbort();
    r->server = std::move(redis.server);
    r->client = std::move(redis.client);
    if (!r->client->Run({"SET", leadflow::routing::RoutingStateKey(), "bench"}).ok()) std::abort();
    r->store = std::make_unique<RoutingStore>(*r->client);
    r->metrics = std::make_unique<RoutingMetrics>(r->service_metrics);
    r->engine = std::make_unique<RoutingEngine>(ShippedPolicy(), *r->store, r->broadcaster,
                                                *r->metrics, r->clock);
    return r;
  }();
  return *rig;
}

// Ten leads in traffic proportions: 5 below MQL, 2 customers, 1
// disqualified, 2 MQLs.
std::vector<leadflow::scoring::v1::LeadScored> TrafficMix() {
  const auto all = Leads();  // 15 prospects (every third below MQL), a customer, a disqualified
  std::vector<leadflow::scoring::v1::LeadScored> mix;
  for (const auto& s : all) {
    if (s.lead().meta().relationship() == cv1::PROSPECT && !s.disqualified() &&
        s.lifecycle_stage() == cv1::LEAD && mix.size() < 5) {
      mix.push_back(s);
    }
  }
  for (int i = 0; i < 2; ++i) mix.push_back(all[all.size() - 2]);  // customer
  mix.push_back(all.back());                                       // disqualified
  mix.push_back(all[0]);                                           // MQL, enterprise
  mix.push_back(all[13]);                                          // MQL, SMB
  return mix;
}

// `gated`: through the privacy consent gate in front of the engine, as
// leadflow-routing runs it (routing_privacy.h: one more script call per batch).
void RouteLeads(benchmark::State& state, bool gated) {
  auto& rig = Rig();
  static RoutingPrivacy privacy(*rig.client, rig.clock);
  static const auto gated_batch = privacy.GateScored(rig.engine->BatchHandler());
  const auto mix = TrafficMix();
  const size_t n = static_cast<size_t>(state.range(0));
  static int64_t next_id = 0;
  std::vector<leadflow::kafka::ConsumedMessage> batch(n);
  std::vector<leadflow::kafka::OutgoingMessage> out;
  double wall = 0;
  const double commands_before = leadflow::bench::RedisCommandsSoFar(*rig.server);
  const double redis_cpu_before = leadflow::bench::RedisCpuSecondsSoFar(*rig.server);
  for (auto _ : state) {
    state.PauseTiming();
    for (auto& m : batch) {
      auto s = mix[static_cast<size_t>(next_id) % mix.size()];
      const std::string id = std::to_string(next_id++);
      s.mutable_lead()->mutable_meta()->set_lead_id("L-route-" + id);
      s.mutable_lead()->mutable_contact()->set_contact_id("c-route-" + id);  // for the gate
      m.topic = leadflow::topics::kLeadsScored;
      m.key = s.lead().meta().account_key();
      m.payload = s.SerializeAsString();
    }
    out.clear();
    state.ResumeTiming();
    const auto started = std::chrono::steady_clock::now();
    if (n == 1 && !gated) {
      if (!rig.engine->Handle(batch[0], out).ok()) state.SkipWithError("handle failed");
    } else {
      for (const auto& r : gated ? gated_batch(batch) : rig.engine->HandleBatch(batch)) {
        if (!r.status.ok()) state.SkipWithError(r.status.message().c_str());
      }
    }
    wall += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  }
  const double leads = static_cast<double>(state.iterations()) * static_cast<double>(n);
  state.SetItemsProcessed(static_cast<int64_t>(leads));
  state.counters["wall_us_per_lead"] = wall * 1e6 / leads;
  state.counters["redis_cmds_per_lead"] =
      (leadflow::bench::RedisCommandsSoFar(*rig.server) - commands_before) / leads;
  state.counters["redis_cpu_us_per_lead"] =
      (leadflow::bench::RedisCpuSecondsSoFar(*rig.server) - redis_cpu_before) * 1e6 / leads;
}
void BM_RouteLeads(benchmark::State& state) { RouteLeads(state, false); }
BENCHMARK(BM_RouteLeads)->Arg(1)->Arg(100);
void BM_RouteLeadsConsentGated(benchmark::State& state) { RouteLeads(state, true); }
BENCHMARK(BM_RouteLeadsConsentGated)->Arg(1)->Arg(100);

}  // namespace

BENCHMARK_MAIN();
