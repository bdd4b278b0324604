// The routing claim's Redis round trip, on a real redis-server started for
// the run (services/common/testing RedisServer, loopback, no persistence).
//
//   build/bench/redis_claim_bench
//
// BM_ClaimRep: LeadClaims::Claim of a fresh lead for a rep under its caps
// (the Lua script that records the decision, +1 open lead, +1 today, starts
// the SLA timer): one EVALSHA round trip per routed lead.
// BM_ClaimNone: the same for a nurture / customer-inbound decision (record only).
// BM_Ping is the same-run trivial baseline: one PING round trip on the same
// client, i.e. the loopback + scheduling floor of any Redis call.
// Time is wall time (the server's work happens in another process).
#include <benchmark/benchmark.h>

#include <iostream>

#include "bench_redis.h"
#include "common/redis/client.h"
#include "routing/app/routing_keys.h"
#include "routing/app/routing_store.h"
#include "common/testing/redis_server.h"

namespace {

using namespace leadflow::routing;

using Fixture = leadflow::bench::BenchRedis;

Fixture& Redis() {
  static Fixture f = leadflow::bench::StartBenchRedisOrAbort();
  return f;
}

leadflow::routing::v1::LeadAssigned Record() {
  leadflow::routing::v1::LeadAssigned a;
  auto* lead = a.mutable_scored()->mutable_lead();
  lead->mutable_meta()->set_trace_id("4bf92f3577b34da6a3ce929d0e0e4736");
  lead->mutable_meta()->set_account_key("company1.example.ru");
  lead->mutable_meta()->set_relationship(leadflow::common::v1::PROSPECT);
  lead->mutable_contact()->set_email("a.petrov@company1.example.ru");
  lead->mutable_company()->set_name("ООО «Компания 1»");
  a.mutable_scored()->set_total_score(240);
  a.mutable_decision()->set_outcome(leadflow::routing::v1::ASSIGNED);
  a.mutable_decision()->set_team("mid-market");
  a.mutable_decision()->set_rep_id("mm-novikov");
  return a;
}

void BM_Ping(benchmark::State& state) {
  auto& r = Redis();
  for (auto _ : state) {
    auto reply = r.client->Run({"PING"});
    if (!reply.ok()) state.SkipWithError(reply.status().message().c_str());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Ping)->UseRealTime();

void Claim(benchmark::State& state, ClaimEffect effect) {
  auto& r = Redis();
  if (!r.client->Run({"SET", RoutingStateKey(), "bench"}).ok()) std::abort();
  RoutingStore store(*r.client);
  auto record = Record();
  static int64_t next = 0;
  for (auto _ : state) {
    record.mutable_scored()->mutable_lead()->mutable_meta()->set_lead_id("L-bench-" +
                                                                         std::to_string(next++));
    ClaimRequest req;
    req.record = &record;
    req.effect = effect;
    req.day = "2026-11-23";
    req.max_open = 1 << 30;
    req.daily_cap = 1 << 30;
    req.sla_due_ms = effect == ClaimEffect::kRep ? 1763719200000 : 0;
    auto res = store.claims.Claim(req);
    if (!res.ok() || !res->claimed()) {
      state.SkipWithError(res.ok() ? "not claimed" : res.status().message().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_ClaimRep(benchmark::State& state) { Claim(state, ClaimEffect::kRep); }
BENCHMARK(BM_ClaimRep)->UseRealTime();

void BM_ClaimNone(benchmark::State& state) { Claim(state, ClaimEffect::kNone); }
BENCHMARK(BM_ClaimNone)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
