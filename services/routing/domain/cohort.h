// Lead-to-deal conversion by submission cohort (docs/domain-rules.md §6,
// "Conversion by cohort"). A cohort is the prospect leads of one segment
// first submitted in one calendar month (UTC); its conversion is the deals won
// from those leads ÷ the leads, whenever the deal was won. With sales cycles
// of a year and more, won ÷ leads of the same window mixes this month's wins
// with last year's leads; a cohort does not.
//
// Which leads count: every prospect lead routing decides on that scoring did
// not disqualify, whatever the decision (a lead nurtured today may be won
// next year). Customers' leads (CUSTOMER_INBOUND) are not new business.
//
// Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "leadflow/common/v1/domain.pb.h"
#include "leadflow/scoring/v1/scoring.pb.h"
#include "routing/domain/funnel_bands.h"

namespace leadflow::routing {

// Months since January 1970, UTC: 0 = 1970-01.
using MonthIndex = int32_t;

// A cohort is kept (and reported) 548 days, a sales cycle, after its month
// ends: 18 monthly cohorts, the current one included.
inline constexpr int kCohortWindowMonths = 18;
inline constexpr int64_t kCohortKeepSeconds = 548LL * 86400;

MonthIndex MonthIndexOf(int64_t unix_ms);
int64_t MonthStartMs(MonthIndex month);
std::string MonthName(MonthIndex month);  // "2026-12"
// The month MonthName wrote; nullopt for anything else.
std::optional<MonthIndex> ParseMonthName(std::string_view name);

struct Cohort {
  MonthIndex month = 0;
  leadflow::common::v1::Segment segment = leadflow::common::v1::SEGMENT_UNSPECIFIED;
  // "<yyyy-mm>:<SEGMENT>", e.g. "2026-12:ENTERPRISE": names the cohort's keys.
  std::string Name() const;
};

// The cohort `scored` counts in; nullopt for a lead that counts in none (a
// customer's, a disqualified one, one without a submission time or segment).
std::optional<Cohort> CohortOf(const leadflow::scoring::v1::LeadScored& scored);

// Unix seconds at which a cohort's keys expire: 548 days after its month ends.
int64_t CohortExpiresAtSeconds(MonthIndex month);

// One cohort's counts for the comparison: its leads, and the deals won from
// them before it reached the comparison age.
struct CohortCounts {
  int64_t leads = 0;
  int64_t won_by_age = 0;
  double conversion() const { return leads > 0 ? static_cast<double>(won_by_age) / leads : 0; }
};

// The two cohorts the "volume up while conversion down" check compares, for
// the current month `now`: the newest one at least compare_at_age_months old
// and the one before it. Deals won before the start of (cohort month + age)
// count, which for the newer cohort is the start of the current month: both
// are read at the same age, on complete months.
struct CohortPair {
  MonthIndex latest = 0;
  MonthIndex previous = 0;
  int64_t latest_won_before_ms = 0;
  int64_t previous_won_before_ms = 0;
};
CohortPair CohortsToCompare(MonthIndex now, const FunnelBands& bands);

// Volume up (the newer cohort has at least volume_rise_pct more leads) while
// conversion down (the newer cohort converted less by the same age). False
// when the older cohort had no leads.
bool VolumeUpConversionDown(const CohortCounts& latest, const CohortCounts& previous,
                            const FunnelBands& bands);

}  // namespace leadflow::routing
