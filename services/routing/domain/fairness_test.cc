#include "routing/domain/fairness.h"

#include <gtest/gtest.h>

namespace leadflow::routing {
namespace {

TEST(FairnessTest, DefaultsAndFieldNamesInErrors) {
  auto d = ResolveFairness({});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->tolerance_pct, 10);
  EXPECT_EQ(d->min_team_assignments, 20);
  leadflow::config::v1::RoutingRules r;
  r.mutable_fairness()->set_tolerance_pct(150);
  auto bad = ResolveFairness(r);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("fairness.tolerance_pct"), std::string::npos);
  r.mutable_fairness()->set_tolerance_pct(5);
  r.mutable_fairness()->set_min_team_assignments(-1);
  bad = ResolveFairness(r);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("fairness.min_team_assignments"), std::string::npos);
}

TEST(FairnessTest, WeightSharesCountAMissingWeightAsOneLikeTheRoundRobin) {
  leadflow::config::v1::Team team;
  auto add = [&](const char* id, int weight) {
    auto* rep = team.add_reps();
    rep->set_rep_id(id);
    rep->set_weight(weight);
  };
  add("a", 3);
  add("b", 1);
  add("c", 0);  // as 1
  const auto shares = WeightShares(team);
  EXPECT_DOUBLE_EQ(shares.at("a"), 0.6);
  EXPECT_DOUBLE_EQ(shares.at("b"), 0.2);
  EXPECT_DOUBLE_EQ(shares.at("c"), 0.2);
}

}  // namespace
}  // namespace leadflow::routing
