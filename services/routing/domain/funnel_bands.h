// The numbers the funnel is read against (routing_rules.json `funnel`,
// docs/domain-rules.md §6): the lead-to-deal conversion bands of a submission
// cohort, the cohort comparison behind the "volume up while conversion down"
// alert, and marketing's yardstick. Resolved once when the rules load: unset
// fields take the domain's numbers, and a bad value names its field.
//
// Pure; immutable once built.
#pragma once

#include "common/util/status.h"
#include "leadflow/config/v1/routing_rules.pb.h"

namespace leadflow::routing {

struct FunnelBands {
  double weak_pct = 3;        // below: weak
  double average_pct = 4;     // the large-B2B average
  double excellent_pct = 5;   // at or above: excellent
  int compare_at_age_months = 6;
  double volume_rise_pct = 20;
  double marketing_new_clients_pct = 20;
  double marketing_revenue_pct = 2;
};

// `rules.funnel()` with the defaults above for every field left at zero.
// kInvalidArgument naming the field ("funnel.average_pct: ...") when the bands
// are not 0 < weak < average < excellent <= 100, the comparison age is not
// 1..16 months (18 cohorts are reported), or a share is outside 0..100.
StatusOr<FunnelBands> ResolveFunnelBands(const leadflow::config::v1::RoutingRules& rules);

}  // namespace leadflow::routing
