// Scoring throughput on the shipped default model (config/scoring_model.json).
//
//   build/bench/scoring_bench --benchmark_min_time=2
//
// BM_ScoreLead is the issue-4 target (>= 500k leads/s on one core): one
// accepted lead scored in full — screening, segment, deal band, named account,
// BANT, fit, engagement, grade, lifecycle and the per-rule explanation — into
// a reused LeadScored, as the service's handlers do.
// BM_CopyLeadProto is the same-run baseline: copying the input LeadAccepted
// (the LeadScored embeds a copy of it). The other cases: a fresh message per
// lead, the decayed engagement of ten stored events, the wire serialization.
//
// BM_HandleAccepted/N: the whole leads.accepted handler (link the contact,
// load its engagement, score, store the score) against a real redis-server
// started for the run, N records per call: /1 is one record per call (two
// round trips per lead), /100 a consumer batch (two pipelined round trips for
// the batch). CPU time is this process's; the redis-server's work is not in
// it. wall_us_per_lead includes the round trips.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdlib>
#include <iostream>

#include "common/config/proto_loader.h"
#include "common/kafka/topics.h"
#include "common/metrics/registry.h"
#include "common/metrics/service_metrics.h"
#include "common/util/deterministic_bytes.h"
#include "leadflow/engagement/v1/engagement.pb.h"
#include "scoring/app/engagement_store.h"
#include "scoring/app/redis_engagement_store.h"
#include "scoring/app/redis_score_store.h"
#include "scoring/app/score_store.h"
#include "scoring/app/scoring_handler.h"
#include "scoring/domain/engagement.h"
#include "scoring/domain/scorer.h"
#include "bench_redis.h"
#include "common/testing/redis_server.h"

namespace {

using namespace leadflow::scoring;

std::shared_ptr<const ScoringPolicy> ShippedPolicy() {
  static std::shared_ptr<const ScoringPolicy> policy = [] {
    const char* root = std::getenv("LEADFLOW_SOURCE_DIR");
    const std::string path =
        std::string(root != nullptr ? root : LEADFLOW_REPO_ROOT) + "/config/scoring_model.json";
    leadflow::config::v1::ScoringModel model;
    if (auto s = leadflow::config::LoadProtoFile(path, &model); !s.ok()) {
      std::cerr << s.message() << "\n";
      std::abort();
    }
    auto p = ScoringPolicy::Create(model);
    if (!p.ok()) {
      std::cerr << p.status().message() << "\n";
      std::abort();
    }
    return *p;
  }();
  return policy;
}

// A typical inbound lead: a bank's economic decision maker with full answers.
leadflow::intake::v1::LeadAccepted TypicalLead() {
  leadflow::intake::v1::LeadAccepted l;
  auto* meta = l.mutable_meta();
  meta->set_lead_id("L-01JD8ZK3Q4R5S6T7V8W9X0Y1Z2");
  meta->set_trace_id("4bf92f3577b34da6a3ce929d0e0e4736");
  meta->set_account_key("7707083893");
  meta->set_relationship(leadflow::common::v1::PROSPECT);
  meta->set_source_id("web-form-enterprise");
  auto* c = l.mutable_contact();
  c->set_contact_id("c-5f2a9d1e7b3c4a60");
  c->set_email("i.petrov@example-bank.ru");
  c->set_full_name("Ivan Petrov");
  c->set_job_title("CFO");
  c->set_buyer_class(leadflow::common::v1::ECONOMIC);
  c->set_decision_role(leadflow::common::v1::DECISION_MAKER);
  auto* co = l.mutable_company();
  co->set_name("Example Bank");
  co->set_domain("example-bank.ru");
  co->set_inn("7707083893");
  co->set_industry("banking");
  co->set_headcount(12000);
  co->set_annual_revenue_rub(95'000'000'000);
  co->set_it_budget_rub(4'000'000'000);
  co->set_region("RU-MOW");
  l.set_buyer_stage(leadflow::common::v1::SOLUTION_EXPLORATION);
  l.set_expected_deal_rub(35'000'000);
  (*l.mutable_answers())["budget"] = "20_50m";
  (*l.mutable_answers())["need"] = "defined_problem";
  (*l.mutable_answers())["timeline"] = "3_6m";
  return l;
}

std::vector<EngagementRecord> TenEvents(int64_t now) {
  using namespace leadflow::engagement::v1;
  const int types[] = {EMAIL_OPENED, EMAIL_CLICKED, WHITEPAPER_DOWNLOADED, WEBINAR_REGISTERED,
                       WEBINAR_ATTENDED};
  std::vector<EngagementRecord> out;
  for (int i = 0; i < 10; ++i) {
    out.push_back({"ev-" + std::to_string(i), types[i % 5], now - int64_t{i} * 36'000'000});
  }
  return out;
}

constexpr int64_t kNow = 1'795'000'000'000;

void BM_CopyLeadProto(benchmark::State& state) {
  const auto lead = TypicalLead();
  for (auto _ : state) {
    leadflow::intake::v1::LeadAccepted copy = lead;
    benchmark::DoNotOptimize(copy);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CopyLeadProto);

// As the handlers do it: the score built into a reused (per-thread) LeadScored.
void BM_ScoreLead(benchmark::State& state) {
  const auto policy = ShippedPolicy();
  const auto lead = TypicalLead();
  const EngagementScore no_events;
  ScoreInputs in;
  in.scored_at_ms = kNow;
  in.engagement = &no_events;
  leadflow::scoring::v1::LeadScored s;
  for (auto _ : state) {
    ScoreLeadInto(lead, *policy, in, &s);
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ScoreLead);

// A fresh LeadScored per lead (every sub-message and map node allocated).
void BM_ScoreLeadFreshMessage(benchmark::State& state) {
  const auto policy = ShippedPolicy();
  const auto lead = TypicalLead();
  const EngagementScore no_events;
  ScoreInputs in;
  in.scored_at_ms = kNow;
  in.engagement = &no_events;
  for (auto _ : state) {
    auto s = ScoreLead(lead, *policy, in);
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ScoreLeadFreshMessage);

void BM_ScoreLeadWithTenEngagementEvents(benchmark::State& state) {
  const auto policy = ShippedPolicy();
  const auto lead = TypicalLead();
  const auto events = TenEvents(kNow);
  leadflow::scoring::v1::LeadScored s;
  for (auto _ : state) {
    const EngagementScore engagement = ScoreEngagement(events, *policy, kNow);
    ScoreInputs in;
    in.scored_at_ms = kNow;
    in.engagement = &engagement;
    ScoreLeadInto(lead, *policy, in, &s);
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ScoreLeadWithTenEngagementEvents);

void BM_ScoreLeadAndSerialize(benchmark::State& state) {
  const auto policy = ShippedPolicy();
  const auto lead = TypicalLead();
  const EngagementScore no_events;
  ScoreInputs in;
  in.scored_at_ms = kNow;
  in.engagement = &no_events;
  leadflow::scoring::v1::LeadScored s;
  for (auto _ : state) {
    ScoreLeadInto(lead, *policy, in, &s);
    auto bytes = leadflow::SerializeDeterministic(s);
    benchmark::DoNotOptimize(bytes);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ScoreLeadAndSerialize);

// The leads.accepted handler on its own redis-server.
struct ScoringRig {
  std::unique_ptr<leadflow::testing::RedisServer> server;
  std::unique_ptr<leadflow::redis::Client> client;
  leadflow::metrics::Registry registry;
  leadflow::metrics::ServiceMetrics service_metrics{registry, "scoring"};
  std::unique_ptr<ScoringMetrics> metrics;
  std::unique_ptr<ModelHolder> model;
  std::unique_ptr<RedisScoreStore> store;
  std::unique_ptr<RedisEngagementStore> engagement;
  leadflow::SystemClock clock;
  std::unique_ptr<ScoringHandler> handler;
};

ScoringRig& Rig() {
  static ScoringRig* rig = [] {
    auto* r = new ScoringRig();
    auto redis = leadflow::bench::StartBenchRedisOrAbort();
    r->server = std::move(redis.server);
    r->client = std::move(redis.client);
    r->metrics = std::make_unique<ScoringMetrics>(r->service_metrics);
    r->model = std::make_unique<ModelHolder>(ShippedPolicy());
    r->store = std::make_unique<RedisScoreStore>(*r->client);
    r->engagement = std::make_unique<RedisEngagementStore>(*r->client);
    r->handler = std::make_unique<ScoringHandler>(*r->model, *r->store, *r->engagement, *r->metrics,
                                                  r->clock);
    return r;
  }();
  return *rig;
}

void BM_HandleAccepted(benchmark::State& state) {
  auto& rig = Rig();
  const size_t n = static_cast<size_t>(state.range(0));
  static uint64_t next = 0;  // a fresh lead and contact per record
  std::vector<leadflow::kafka::ConsumedMessage> batch(n);
  auto lead = TypicalLead();
  double wall = 0;
  const double commands_before = leadflow::bench::RedisCommandsSoFar(*rig.server);
  const double redis_cpu_before = leadflow::bench::RedisCpuSecondsSoFar(*rig.server);
  for (auto _ : state) {
    state.PauseTiming();
    for (auto& m : batch) {
      const std::string id = std::to_string(next++);
      lead.mutable_meta()->set_lead_id("L-bench-" + id);
      lead.mutable_contact()->set_contact_id("c-bench-" + id);
      m.topic = leadflow::topics::kLeadsAccepted;
      m.timestamp_ms = 1'795'000'000'000;
      m.payload = lead.SerializeAsString();
    }
    state.ResumeTiming();
    const auto started = std::chrono::steady_clock::now();
    for (const auto& r : rig.handler->HandleAccepted(batch)) {
      if (!r.status.ok()) state.SkipWithError(r.status.message().c_str());
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
BENCHMARK(BM_HandleAccepted)->Arg(1)->Arg(100);

}  // namespace

BENCHMARK_MAIN();
