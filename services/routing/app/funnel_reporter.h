// The Funnel dashboard's conversion and won-revenue gauges (docs/metrics.md,
// docs/domain-rules.md §6), refreshed from Redis every kRefreshMs by a
// background task in every replica, so each replica reports the same shared
// numbers (dashboards take max, not sum):
//   - per submission cohort (month) and segment: leads, won deals and
//     lead-to-deal conversion, for the last 18 months (older cohorts' series
//     are removed as they leave the window);
//   - the configured bands (routing_rules.json `funnel`), as gauges, so that
//     panels and alerts read them from the config, not from Grafana colours;
//   - per segment, "volume up while conversion down" (cohort.h) and the two
//     cohorts it compared;
//   - won deals and revenue of the last 12 months by marketing sourcing,
//     source and campaign, marketing's share of both, and its yardstick.
// While routing's state is being rebuilt the gauges keep their last values.
//
// Threading: Refresh() and Run() from one thread.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "common/metrics/service_metrics.h"
#include "common/util/clock.h"
#include "routing/app/cohort_store.h"
#include "routing/domain/routing_policy.h"

namespace leadflow::routing {

class FunnelReporter {
 public:
  static constexpr int64_t kRefreshMs = 15000;

  FunnelReporter(std::shared_ptr<const RoutingPolicy> policy, CohortStore& store,
                 metrics::ServiceMetrics& metrics, const Clock& clock);

  // Reads the funnel and sets the gauges; kUnavailable (gauges untouched)
  // while Redis is unreachable or the state is being rebuilt.
  Status Refresh();
  // Refresh() every kRefreshMs until `stop`.
  void Run(const std::atomic<bool>& stop);

 private:
  // The series (gauge name, labels) one Refresh() sets.
  using Series = std::set<std::pair<std::string, metrics::Labels>>;
  void Set(const std::string& name, const std::string& help, const metrics::Labels& labels,
           double value, Series& now_reported);
  // Refresh()'s gauges: the configured bands, each cohort's counts, the
  // compared cohorts per segment, and the won deals by source.
  void SetBands(const FunnelBands& bands, Series& now);
  void SetCohorts(const FunnelSnapshot& snap, Series& now);
  void SetCompared(const FunnelSnapshot& snap, const FunnelBands& bands, Series& now);
  void SetWonDeals(const FunnelSnapshot& snap, const FunnelBands& bands, Series& now);

  std::shared_ptr<const RoutingPolicy> policy_;
  CohortStore& store_;
  metrics::ServiceMetrics& metrics_;
  const Clock& clock_;
  // Series set by the last Refresh(): those not set again are removed.
  Series reported_;
};

}  // namespace leadflow::routing
