#include "routing/domain/funnel_bands.h"

#include <string>

namespace leadflow::routing {
namespace {

Status Err(const std::string& field, const std::string& what) {
  return Status::InvalidArgument("routing rules: funnel." + field + ": " + what);
}

double Or(double configured, double fallback) { return configured != 0 ? configured : fallback; }

}  // namespace

StatusOr<FunnelBands> ResolveFunnelBands(const leadflow::config::v1::RoutingRules& rules) {
  const auto& f = rules.funnel();
  FunnelBands b;
  b.weak_pct = Or(f.weak_pct(), b.weak_pct);
  b.average_pct = Or(f.average_pct(), b.average_pct);
  b.excellent_pct = Or(f.excellent_pct(), b.excellent_pct);
  b.compare_at_age_months = f.compare_at_age_months() != 0 ? f.compare_at_age_months()
                                                          : b.compare_at_age_months;
  b.volume_rise_pct = Or(f.volume_rise_pct(), b.volume_rise_pct);
  b.marketing_new_clients_pct = Or(f.marketing_new_clients_pct(), b.marketing_new_clients_pct);
  b.marketing_revenue_pct = Or(f.marketing_revenue_pct(), b.marketing_revenue_pct);

  if (!(b.weak_pct > 0)) return Err("weak_pct", "must be above 0");
  if (!(b.average_pct > b.weak_pct)) {
    return Err("average_pct", "must be above weak_pct (" + std::to_string(b.weak_pct) + ")");
  }
  if (!(b.excellent_pct > b.average_pct)) {
    return Err("excellent_pct",
               "must be above average_pct (" + std::to_string(b.average_pct) + ")");
  }
  if (b.excellent_pct > 100) return Err("excellent_pct", "must be at most 100");
  if (b.compare_at_age_months < 1 || b.compare_at_age_months > 16) {
    return Err("compare_at_age_months",
               "must be 1..16 (a cohort is reported 18 months, and the comparison needs the cohort "
               "before it too)");
  }
  if (b.volume_rise_pct < 0) return Err("volume_rise_pct", "must be >= 0");
  if (b.marketing_new_clients_pct < 0 || b.marketing_new_clients_pct > 100) {
    return Err("marketing_new_clients_pct", "must be 0..100");
  }
  if (b.marketing_revenue_pct < 0 || b.marketing_revenue_pct > 100) {
    return Err("marketing_revenue_pct", "must be 0..100");
  }
  return b;
}

}  // namespace leadflow::routing
