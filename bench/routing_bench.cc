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
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <iostream>

#include "common/config/proto_loader.h"
#include "routing/app/zoneinfo_loader.h"
#include "routing/domain/router.h"

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
  reps.Set("ka-vorontsov", {leadflow::routing::v1::ACTIVE, 10, 2});
  reps.Set("ent-morozov", {leadflow::routing::v1::ACTIVE, 19, 4});
  reps.Set("mm-pavlova", {leadflow::routing::v1::VACATION, 0, 0});
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

}  // namespace

BENCHMARK_MAIN();
