#include "scoring/domain/screening.h"

#include "scoring/domain/text_key.h"

namespace leadflow::scoring {

NormalizedScreening::NormalizedScreening(const leadflow::config::v1::ScreeningRules& r)
    : rules(&r) {
  for (const auto& i : r.excluded_industries()) excluded_industries.push_back(NormalizeKey(i));
  for (const auto& p : r.serviceable_regions()) serviceable_regions.push_back(NormalizeKey(p));
}

std::vector<leadflow::common::v1::ReasonCode> Screen(
    const leadflow::common::v1::Company& c, const leadflow::config::v1::ScreeningRules& r) {
  std::vector<leadflow::common::v1::ReasonCode> reasons;
  Screen(c, NormalizedScreening(r), &reasons);
  return reasons;
}

void Screen(const leadflow::common::v1::Company& c, const NormalizedScreening& n,
            std::vector<leadflow::common::v1::ReasonCode>* reasons) {
  const auto& r = *n.rules;
  if (!c.industry().empty()) {
    const std::string industry = NormalizeKey(c.industry());
    for (const auto& excluded : n.excluded_industries) {
      if (excluded == industry) {
        reasons->push_back(leadflow::common::v1::SCREENED_INDUSTRY);
        break;
      }
    }
  }
  if (r.min_headcount() > 0 && c.headcount() > 0 && c.headcount() < r.min_headcount()) {
    reasons->push_back(leadflow::common::v1::SCREENED_HEADCOUNT);
  }
  if (r.min_annual_revenue_rub() > 0 && c.annual_revenue_rub() > 0 &&
      c.annual_revenue_rub() < r.min_annual_revenue_rub()) {
    reasons->push_back(leadflow::common::v1::SCREENED_REVENUE);
  }
  if (!n.serviceable_regions.empty() && !c.region().empty()) {
    const std::string region = NormalizeKey(c.region());
    bool served = region.empty();
    for (const auto& prefix : n.serviceable_regions) {
      if (region.compare(0, prefix.size(), prefix) == 0) {
        served = true;
        break;
      }
    }
    if (!served) reasons->push_back(leadflow::common::v1::SCREENED_REGION);
  }
  if (r.screen_growth() && c.has_revenue_growth() &&
      c.revenue_growth_pct() < r.min_revenue_growth_pct()) {
    reasons->push_back(leadflow::common::v1::SCREENED_GROWTH);
  }
}

}  // namespace leadflow::scoring
