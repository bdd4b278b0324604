#include "routing/app/zoneinfo_loader.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "common/config/proto_loader.h"
#include "routing/domain/routing_policy.h"
#include "common/testing/paths.h"

namespace leadflow::routing {
namespace {

bool HaveTzdata() { return std::filesystem::exists("/usr/share/zoneinfo/Europe/Moscow"); }

TEST(SystemZoneResolver, ResolvesIanaNamesAndRejectsOthers) {
  ASSERT_TRUE(HaveTzdata()) << "no system tzdata (scripts/bootstrap installs tzdata)";
  auto resolve = SystemZoneResolver("/usr/share/zoneinfo");
  auto msk = resolve("Europe/Moscow");
  ASSERT_TRUE(msk.ok()) << msk.status().message();
  EXPECT_EQ(
      (*msk)->UtcOffsetAt(std::chrono::system_clock::time_point(std::chrono::seconds(1717200000))),
      3 * 3600);
  EXPECT_EQ(resolve("Mars/Olympus").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(resolve("../../etc/passwd").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(resolve("/etc/passwd").status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(resolve("").ok());
}

TEST(SystemZoneResolver, ShippedRoutingRulesValidateWithRealZones) {
  // The checkout is compiled in, so the shipped file is always checked.
  ASSERT_TRUE(HaveTzdata()) << "no system tzdata (scripts/bootstrap installs tzdata)";
  leadflow::config::v1::RoutingRules rules;
  Status s = config::LoadProtoFile(leadflow::testing::SourcePath("config/routing_rules.json"), &rules);
  ASSERT_TRUE(s.ok()) << s.message();
  auto p = RoutingPolicy::Create(rules, SystemZoneResolver());
  ASSERT_TRUE(p.ok()) << p.status().message();
}

}  // namespace
}  // namespace leadflow::routing
