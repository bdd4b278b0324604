// ABM stage 1: dropping clearly non-target companies by configurable filters.
#pragma once

#include <vector>

#include "leadflow/common/v1/domain.pb.h"
#include "leadflow/config/v1/scoring_model.pb.h"

namespace leadflow::scoring {

// Every screening reason that applies, in this order (empty = passes):
//  SCREENED_INDUSTRY  industry (case-insensitive) is in excluded_industries;
//  SCREENED_HEADCOUNT min_headcount > 0 and headcount < min_headcount;
//  SCREENED_REVENUE   min_annual_revenue_rub > 0 and revenue < min;
//  SCREENED_REGION    serviceable_regions non-empty and region (case-insensitive)
//                     starts with none of them;
//  SCREENED_GROWTH    screen_growth, growth present, and growth < min_revenue_growth_pct.
// An unknown value (0 headcount/revenue, empty region) is not known to be
// below the bar and passes: screening drops *clearly* non-target companies.
std::vector<leadflow::common::v1::ReasonCode> Screen(
    const leadflow::common::v1::Company& company,
    const leadflow::config::v1::ScreeningRules& rules);

}  // namespace leadflow::scoring
