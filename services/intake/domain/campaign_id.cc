#include "intake/domain/campaign_id.h"

namespace leadflow::intake {

bool IsCampaignSlug(std::string_view id) {
  if (id.empty() || id.size() > kMaxCampaignIdLength) return false;
  for (char c : id) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace leadflow::intake
