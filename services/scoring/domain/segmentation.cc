#include "scoring/domain/segmentation.h"

namespace leadflow::scoring {

using leadflow::common::v1::Segment;

Segment ClassifySegment(const leadflow::common::v1::Company& c,
                        const leadflow::config::v1::SegmentRules& r) {
  auto at_least = [](int64_t value, int64_t min) { return value > 0 && value >= min; };
  if (at_least(c.annual_revenue_rub(), r.enterprise_min_revenue_rub()) &&
      at_least(c.it_budget_rub(), r.enterprise_min_it_budget_rub())) {
    return leadflow::common::v1::ENTERPRISE;
  }
  if (c.state_body() &&
      at_least(c.digitalisation_budget_rub(), r.government_min_digitalisation_budget_rub())) {
    return leadflow::common::v1::GOVERNMENT;
  }
  if (c.infrastructure_project() &&
      at_least(c.ict_budget_rub(), r.infrastructure_min_ict_budget_rub())) {
    return leadflow::common::v1::INFRASTRUCTURE;
  }
  if (at_least(c.annual_revenue_rub(), r.mid_market_min_revenue_rub())) {
    return leadflow::common::v1::MID_MARKET;
  }
  return leadflow::common::v1::SMB;
}

DealBandResult ClassifyDealBand(int64_t expected_deal_rub, Segment segment,
                                const leadflow::config::v1::DealBands& bands) {
  DealBandResult out;
  if (expected_deal_rub <= 0) {
    out.derived_from_segment = true;
    switch (segment) {
      case leadflow::common::v1::ENTERPRISE:
      case leadflow::common::v1::GOVERNMENT:
      case leadflow::common::v1::INFRASTRUCTURE:
        out.band = leadflow::common::v1::DEAL_BAND_LARGE;
        break;
      case leadflow::common::v1::MID_MARKET:
        out.band = leadflow::common::v1::DEAL_BAND_STANDARD;
        break;
      default:
        out.band = leadflow::common::v1::DEAL_BAND_SMALL;
        break;
    }
    return out;
  }
  if (expected_deal_rub < bands.standard_min_rub()) {
    out.band = leadflow::common::v1::DEAL_BAND_SMALL;
  } else if (expected_deal_rub < bands.large_min_rub()) {
    out.band = leadflow::common::v1::DEAL_BAND_STANDARD;
  } else {
    out.band = leadflow::common::v1::DEAL_BAND_LARGE;
  }
  return out;
}

}  // namespace leadflow::scoring
