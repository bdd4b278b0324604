// Segment and deal-size band (docs/domain-rules.md §3).
#pragma once

#include <cstdint>

#include "leadflow/common/v1/domain.pb.h"
#include "leadflow/config/v1/scoring_model.pb.h"

namespace leadflow::scoring {

// First rule that holds:
//  ENTERPRISE      revenue >= enterprise_min_revenue AND IT budget >= enterprise_min_it_budget;
//  GOVERNMENT      state_body AND digitalisation budget >= government_min;
//  INFRASTRUCTURE  infrastructure_project AND ICT budget >= infrastructure_min;
//  MID_MARKET      revenue >= mid_market_min_revenue;
//  SMB             otherwise.
// A threshold of 0 never qualifies on an unknown (0) amount for ENTERPRISE,
// GOVERNMENT and INFRASTRUCTURE: those need a positive amount.
leadflow::common::v1::Segment ClassifySegment(const leadflow::common::v1::Company& company,
                                              const leadflow::config::v1::SegmentRules& rules);

struct DealBandResult {
  leadflow::common::v1::DealBand band = leadflow::common::v1::DEAL_BAND_UNSPECIFIED;
  bool derived_from_segment = false;  // the expected deal size was unknown
};

// From expected_deal_rub: < standard_min -> SMALL, < large_min -> STANDARD,
// else LARGE. When the deal size is unknown (<= 0) the band is derived from
// the segment instead: ENTERPRISE / GOVERNMENT / INFRASTRUCTURE -> LARGE (such
// accounts buy large, and a key-account manager must see them: docs/domain-rules.md says
// large deals are never sold through a web form alone), MID_MARKET ->
// STANDARD, SMB -> SMALL.
DealBandResult ClassifyDealBand(int64_t expected_deal_rub, leadflow::common::v1::Segment segment,
                                const leadflow::config::v1::DealBands& bands);

}  // namespace leadflow::scoring
