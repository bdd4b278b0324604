#include "intake/domain/campaign_id.h"

#include <gtest/gtest.h>

#include <string>

namespace leadflow::intake {
namespace {

TEST(CampaignIdTest, SlugCharactersAndLength) {
  EXPECT_TRUE(IsCampaignSlug("webinar-roi-2026"));
  EXPECT_TRUE(IsCampaignSlug("utm_q3.v2"));
  EXPECT_TRUE(IsCampaignSlug("x"));
  EXPECT_TRUE(IsCampaignSlug(std::string(64, 'a')));
  EXPECT_FALSE(IsCampaignSlug(std::string(65, 'a')));
  EXPECT_FALSE(IsCampaignSlug(""));
  EXPECT_FALSE(IsCampaignSlug("Webinar"));
  EXPECT_FALSE(IsCampaignSlug("spring 2026"));
  EXPECT_FALSE(IsCampaignSlug("a/b"));
  EXPECT_FALSE(IsCampaignSlug("весна"));
  EXPECT_FALSE(IsCampaignSlug("a\nb"));
  // "other" is a slug; the config check reserves it (intake_policy_test.cc).
  EXPECT_TRUE(IsCampaignSlug(kOtherCampaign));
}

}  // namespace
}  // namespace leadflow::intake
