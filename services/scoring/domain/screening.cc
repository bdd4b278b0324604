#include "scoring/domain/screening.h"

#include "scoring/domain/text_key.h"

namespace leadflow::scoring {

std::vector<leadflow::common::v1::ReasonCode> Screen(
    const leadflow::common::v1::Company& c, const leadflow::config::v1::ScreeningRules& r) {
  std::vector<leadflow::common::v1::ReasonCode> reasons;
  const std::string industry = NormalizeKey(c.industry());
  if (!industry.empty()) {
    for (const auto& excluded : r.excluded_industries()) {
      if (NormalizeKey(excluded) == industry) {
        reasons.push_back(leadflow::common::v1::SCREENED_INDUSTRY);
        break;
      }
    }
  }
  if (r.min_headcount() > 0 && c.headcount() > 0 && c.headcount() < r.min_headcount()) {
    reasons.push_back(leadflow::common::v1::SCREENED_HEADCOUNT);
  }
  if (r.min_annual_revenue_rub() > 0 && c.annual_revenue_rub() > 0 &&
      c.annual_revenue_rub() < r.min_annual_revenue_rub()) {
    reasons.push_back(leadflow::common::v1::SCREENED_REVENUE);
  }
  const std::string region = NormalizeKey(c.region());
  if (!r.serviceable_regions().empty() && !region.empty()) {
    bool served = false;
    for (const auto& prefix : r.serviceable_regions()) {
      if (region.rfind(NormalizeKey(prefix), 0) == 0) {
        served = true;
        break;
      }
    }
    if (!served) reasons.push_back(leadflow::common::v1::SCREENED_REGION);
  }
  if (r.screen_growth() && c.has_revenue_growth() &&
      c.revenue_growth_pct() < r.min_revenue_growth_pct()) {
    reasons.push_back(leadflow::common::v1::SCREENED_GROWTH);
  }
  return reasons;
}

}  // namespace leadflow::scoring
