// Intake's per-lead CPU cost on the shipped config (config/intake.json).
//
//   build/bench/intake_bench
//
// BM_ParseAndValidate is the issue-8 target (>= 200k leads/s on one core):
// decoding a JSON form event from leads.submitted into a LeadSubmission and
// validating every field, over 1024 synthetic leads of the load generator's
// mix (valid ones). BM_ParseSubmission is the decoding alone, BM_ValidateOnly
// the validation alone.
// BM_CopyPayload is the same-run trivial baseline: copying the payload bytes
// into a reused string and hashing them (what any consumer pays at least).
//
// BM_HandleSubmitted/N: the whole leads.submitted handler (SubmittedHandler
// over IntakeProcessor with the Redis dedupe claims, contact index and
// registry view) against a real redis-server started for the run, on fresh
// load-generator leads (the default mix: customers, prospects, 5% invalid),
// N records per call: /1 is the one-record handler (Handle: up to four round
// trips per lead), /100 a consumer batch (HandleBatch: four pipelined
// requests for the whole batch). CPU time is this process's (intake's side);
// the redis-server's work is not in it. wall_us_per_lead includes the round
// trips.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdlib>
#include <iostream>

#include "common/config/proto_loader.h"
#include "common/kafka/topics.h"
#include "common/metrics/registry.h"
#include "common/metrics/service_metrics.h"
#include "common/registry/account_registry.h"
#include "common/testing/registry_seeder.h"
#include "intake/app/account_directory.h"
#include "intake/app/contact_index.h"
#include "intake/app/id_generator.h"
#include "intake/app/idempotency_store.h"
#include "intake/app/intake_metrics.h"
#include "intake/app/intake_processor.h"
#include "intake/app/redis_contact_index.h"
#include "intake/app/redis_idempotency_store.h"
#include "intake/app/registry_account_directory.h"
#include "intake/app/submitted_handler.h"
#include "intake/domain/intake_policy.h"
#include "intake/domain/validation.h"
#include "intake/wire/submission_parser.h"
#include "lead_generator.h"
#include "ledger.h"
#include "bench_redis.h"
#include "common/testing/redis_server.h"

namespace {

using namespace leadflow::intake;

std::shared_ptr<const IntakePolicy> ShippedPolicy() {
  static std::shared_ptr<const IntakePolicy> policy = [] {
    const char* root = std::getenv("LEADFLOW_SOURCE_DIR");
    const std::string path =
        std::string(root != nullptr ? root : LEADFLOW_REPO_ROOT) + "/config/intake.json";
    leadflow::config::v1::IntakeConfig config;
    if (auto s = leadflow::config::LoadProtoFile(path, &config); !s.ok()) {
      std::cerr << s.message() << "\n";
      std::abort();
    }
    auto p = IntakePolicy::Create(config);
    if (!p.ok()) {
      std::cerr << p.status().message() << "\n";
      std::abort();
    }
    return *p;
  }();
  return policy;
}

const std::vector<std::string>& Payloads() {
  static const std::vector<std::string> payloads = [] {
    leadflow::bench::GeneratorOptions o;
    o.seed = 8;
    o.invalid_share = 0;
    o.customers = {{"vtb.ru", "7702070139", "Банк ВТБ (ПАО)"}};
    leadflow::bench::LeadGenerator g(o);
    std::vector<std::string> v;
    for (int i = 0; i < 1024; ++i) v.push_back(g.Generate(i).payload);
    return v;
  }();
  return payloads;
}

void BM_CopyPayload(benchmark::State& state) {
  const auto& p = Payloads();
  std::string buf;
  size_t i = 0;
  for (auto _ : state) {
    buf.assign(p[i++ & 1023]);
    benchmark::DoNotOptimize(leadflow::bench::PayloadHash(buf));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CopyPayload);

void BM_ParseSubmission(benchmark::State& state) {
  const auto& p = Payloads();
  const size_t max = ShippedPolicy()->max_payload_bytes();
  size_t i = 0;
  for (auto _ : state) {
    auto lead = ParseSubmission(p[i++ & 1023], PayloadFormat::kJson, max);
    if (!lead.ok()) state.SkipWithError(lead.status().message().c_str());
    benchmark::DoNotOptimize(lead);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseSubmission);

void BM_ParseAndValidate(benchmark::State& state) {
  const auto& p = Payloads();
  const auto policy = ShippedPolicy();
  const size_t max = policy->max_payload_bytes();
  size_t i = 0;
  for (auto _ : state) {
    auto lead = ParseSubmission(p[i++ & 1023], PayloadFormat::kJson, max);
    if (!lead.ok()) {
      state.SkipWithError(lead.status().message().c_str());
      break;
    }
    auto errors = ValidateSubmission(*lead, *policy);
    if (!errors.empty()) {
      state.SkipWithError(("invalid: " + errors.front().field_path()).c_str());
      break;
    }
    benchmark::DoNotOptimize(errors);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseAndValidate);

// Validation alone, on leads parsed before the timing loop.
void BM_ValidateOnly(benchmark::State& state) {
  const auto policy = ShippedPolicy();
  std::vector<leadflow::intake::v1::LeadSubmission> leads;
  for (const auto& p : Payloads()) {
    auto lead = ParseSubmission(p, PayloadFormat::kJson, policy->max_payload_bytes());
    if (!lead.ok()) {
      state.SkipWithError(lead.status().message().c_str());
      return;
    }
    leads.push_back(std::move(*lead));
  }
  size_t i = 0;
  for (auto _ : state) {
    auto errors = ValidateSubmission(leads[i++ & 1023], *policy);
    benchmark::DoNotOptimize(errors);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ValidateOnly);

// Intake's topic path on its own redis-server, with one customer account in
// the registry view.
struct IntakeRig {
  std::unique_ptr<leadflow::testing::RedisServer> server;
  std::unique_ptr<leadflow::redis::Client> client;
  leadflow::metrics::Registry registry;
  leadflow::metrics::ServiceMetrics service_metrics{registry, "intake"};
  std::unique_ptr<IntakeMetrics> metrics;
  std::unique_ptr<RedisIdempotencyStore> store;
  std::unique_ptr<leadflow::registry::AccountRegistry> accounts;
  std::unique_ptr<RegistryAccountDirectory> directory;
  std::unique_ptr<RedisContactIndex> contact_index;
  IdGenerator ids;  // the CSPRNG, as in production
  leadflow::intake::ContactIdKey contact_ids =
      *leadflow::intake::ContactIdKey::Create("bench-contact-id-key-not-a-secret!");
  leadflow::SystemClock clock;
  std::unique_ptr<IntakeProcessor> processor;
  std::unique_ptr<SubmittedHandler> handler;
};

IntakeRig& Rig() {
  static IntakeRig* rig = [] {
    auto* r = new IntakeRig();
    auto redis = leadflow::bench::StartBenchRedisOrAbort();
    r->server = std::move(redis.server);
    r->client = std::move(redis.client);
    r->metrics = std::make_unique<IntakeMetrics>(r->service_metrics);
    r->store = std::make_unique<RedisIdempotencyStore>(*r->client);
    r->accounts = std::make_unique<leadflow::registry::AccountRegistry>(*r->client, "intake");
    leadflow::accounts::v1::AccountState vtb;
    vtb.set_account_key("7702070139");
    vtb.set_relationship(leadflow::common::v1::CUSTOMER);
    vtb.add_domains("vtb.ru");
    vtb.set_inn("7702070139");
    vtb.set_owner_rep_id("rep-1");
    leadflow::testing::RegistrySeeder seeder(*r->client, "intake");
    if (!seeder.Apply(vtb.account_key(), vtb.SerializeAsString()).ok()) std::abort();
    r->directory = std::make_unique<RegistryAccountDirectory>(*r->accounts);
    r->contact_index = std::make_unique<RedisContactIndex>(*r->client);
    r->processor = std::make_unique<IntakeProcessor>(ShippedPolicy(), *r->store, *r->directory,
                                                     *r->metrics, r->clock, r->ids,
                                                     r->contact_ids);
    r->processor->set_contact_index(r->contact_index.get());
    r->handler = std::make_unique<SubmittedHandler>(*r->processor, r->clock);
    return r;
  }();
  return *rig;
}

void BM_HandleSubmitted(benchmark::State& state) {
  auto& rig = Rig();
  leadflow::bench::GeneratorOptions o;
  o.seed = 88;
  o.customers = {{"vtb.ru", "7702070139", "Банк ВТБ (ПАО)"}};
  const leadflow::bench::LeadGenerator generator(o);
  const size_t n = static_cast<size_t>(state.range(0));
  static uint64_t next = 0;  // fresh leads across runs: no dedupe hits between iterations
  std::vector<leadflow::kafka::ConsumedMessage> batch(n);
  std::vector<leadflow::kafka::OutgoingMessage> out;
  double wall = 0;
  const double commands_before = leadflow::bench::RedisCommandsSoFar(*rig.server);
  const double redis_cpu_before = leadflow::bench::RedisCpuSecondsSoFar(*rig.server);
  for (auto _ : state) {
    state.PauseTiming();
    for (auto& m : batch) {
      auto lead = generator.Generate(next);
      m.topic = leadflow::topics::kLeadsSubmitted;
      m.partition = 0;
      m.offset = static_cast<int64_t>(next++);
      m.key = lead.key;
      m.payload = std::move(lead.payload);
    }
    out.clear();
    state.ResumeTiming();
    const auto started = std::chrono::steady_clock::now();
    if (n == 1) {
      if (!rig.handler->Handle(batch[0], out).ok()) state.SkipWithError("handle failed");
    } else {
      for (const auto& r : rig.handler->HandleBatch(batch)) {
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
BENCHMARK(BM_HandleSubmitted)->Arg(1)->Arg(100);

}  // namespace

BENCHMARK_MAIN();
