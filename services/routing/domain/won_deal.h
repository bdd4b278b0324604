// Won deals and marketing's share of them (docs/domain-rules.md §6,
// "Marketing's share"): marketing channels bring up to 20 % of new clients a
// year, and those clients no more than 2 % of revenue. Routing keeps a ledger
// of the deals won in each calendar month (won:<yyyy-mm>, docs/state.md) and
// sums the last twelve months.
//
// Pure.
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "leadflow/common/v1/domain.pb.h"
#include "leadflow/scoring/v1/scoring.pb.h"

namespace leadflow::routing {

// The won-revenue window: the current month and the eleven before it.
inline constexpr int kWonWindowMonths = 12;

// What the ledger keeps of a won deal: the lead's source, campaign and
// segment, whether its source is a marketing channel (intake's
// LeadMeta.marketing_sourced), and the deal's value. No personal data.
struct WonDeal {
  bool marketing_sourced = false;
  std::string source;    // LeadMeta.source_id (intake's configured sources)
  std::string campaign;  // LeadMeta.campaign_id: a configured campaign, "other", or "" none
  leadflow::common::v1::Segment segment = leadflow::common::v1::SEGMENT_UNSPECIFIED;
  int64_t value_rub = 0;
};

// The value a won deal counts with: the one the close gave, else the deal's
// value in its stage, else the lead's expected deal; 0 when none is known.
int64_t WonValueRub(int64_t close_value_rub, int64_t stage_value_rub, int64_t expected_deal_rub);

// The ledger entry of `scored` won for `value_rub`.
WonDeal WonDealOf(const leadflow::scoring::v1::LeadScored& scored, int64_t value_rub);

// What a close WON writes (the feedback script), and what the state rebuild
// writes again for a won deal it finds in the topics: the deal in the ledger
// of the month it was won, and the lead in its cohort's won deals.
struct WonRecord {
  std::string entry;             // EncodeWonDeal
  std::string month;             // "yyyy-mm" won, the ledger's month
  int64_t ledger_expires_at = 0;  // unix s: kWonWindowMonths after that month starts
  std::string cohort;            // Cohort::Name() (cohort.h); "" when the lead has none
  int64_t cohort_expires_at = 0;  // unix s (CohortExpiresAtSeconds)
  int64_t won_at_ms = 0;
};
// The record of `scored` won at `won_at_ms`, its deal valued by
// WonValueRub(0, stage_value_rub, the lead's expected deal).
WonRecord WonRecordOf(const leadflow::scoring::v1::LeadScored& scored, int64_t stage_value_rub,
                      int64_t won_at_ms);

// "<1|0>|<source>|<campaign>|<segment number>|<value>"; a '|' inside the
// source or campaign becomes '_' (neither can hold one: intake checks both).
std::string EncodeWonDeal(const WonDeal& deal);
// nullopt when `entry` is not what EncodeWonDeal makes.
std::optional<WonDeal> DecodeWonDeal(std::string_view entry);

struct WonTotals {
  struct Key {
    bool marketing_sourced = false;
    std::string source;
    std::string campaign;
    auto operator<=>(const Key&) const = default;
  };
  struct Sum {
    int64_t deals = 0;
    int64_t value_rub = 0;
  };
  std::map<Key, Sum> by_source;
  Sum all;
  Sum marketing;
  // Marketing-sourced deals ÷ all won deals, and their value ÷ all won value;
  // 0 when nothing was won.
  double marketing_deal_share() const;
  double marketing_revenue_share() const;
};
WonTotals SumWonDeals(const std::vector<WonDeal>& deals);

}  // namespace leadflow::routing
