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
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <iostream>

#include "common/config/proto_loader.h"
#include "intake/domain/intake_policy.h"
#include "intake/domain/submission_parser.h"
#include "intake/domain/validation.h"
#include "lead_generator.h"
#include "ledger.h"

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

}  // namespace

BENCHMARK_MAIN();
