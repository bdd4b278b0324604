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
