// ABM stage 1: dropping clearly non-target companies by configurable filters.
#pragma once

#include <string>
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

// The rules with their industry and region lists normalised once (NormalizeKey),
// for the hot path; ScoringPolicy builds it at load time.
struct NormalizedScreening {
  explicit NormalizedScreening(const leadflow::config::v1::ScreeningRules& rules);
  const leadflow::config::v1::ScreeningRules* rules;  // not owned
  std::vector<std::string> excluded_industries;
  std::vector<std::string> serviceable_regions;
};

// Same as above; appends the reasons to `out`.
void Screen(const leadflow::common::v1::Company& company, const NormalizedScreening& screening,
            std::vector<leadflow::common::v1::ReasonCode>* out);

}  // namespace leadflow::scoring
