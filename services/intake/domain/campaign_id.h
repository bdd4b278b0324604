// Campaign ids: what a configured one looks like (IntakeConfig.campaigns) and
// the bounded value a lead carries in LeadMeta.campaign_id. The mapping itself
// is IntakePolicy::CampaignFor. Pure functions; thread-safe.
//
// Why bounded: LeadMeta.campaign_id becomes a metric label downstream (won
// revenue by source and campaign, docs/metrics.md), so a form that sends any
// UTM value it likes must not mint new label values. Only configured ids are
// kept; every other submitted value becomes kOtherCampaign.
#pragma once

#include <cstddef>
#include <string_view>

namespace leadflow::intake {

// LeadMeta.campaign_id of a lead whose submission named a campaign that
// IntakeConfig.campaigns does not list. Reserved: never a configured id.
inline constexpr std::string_view kOtherCampaign = "other";

// The longest configured campaign id, in bytes (= characters: ids are ASCII).
inline constexpr size_t kMaxCampaignIdLength = 64;

// True when `id` is a valid configured campaign id: 1..kMaxCampaignIdLength
// characters from [a-z0-9-_.]. (Inline, so that the fuzzer's hand-listed
// intake sources in tests/fuzz need no new entry.)
inline bool IsCampaignSlug(std::string_view id) {
  if (id.empty() || id.size() > kMaxCampaignIdLength) return false;
  for (char c : id) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace leadflow::intake
