// Round-robin fairness metrics (issue 19.5; docs/domain-rules.md §5 "Fair
// round robin"), against a real redis-server: the round robin's picks are
// counted per rep, in proportion to the weights over a whole cycle, and every
// configured rep is exported with its weight share and a counter from 0.
#include <gtest/gtest.h>

#include "routing/domain/fairness.h"
#include "routing/testing/routing_app_fixture.h"

namespace leadflow::routing {
namespace {

class FairnessMetricsTest : public RoutingAppTest {
 protected:
  double Assignments(const std::string& rep) {
    return registry_
        .GetCounter("leadflow_routing_rep_assignments_total", "",
                    {{"team", "key-accounts"}, {"rep", rep}})
        .Value();
  }
};

TEST_F(FairnessMetricsTest, EachRoundRobinPickIsCountedForItsRep) {
  // key-accounts: ka-a weight 3, ka-b 2, ka-c 1; a whole cycle is 6 picks.
  for (const auto& team : policy_->rules().teams()) {
    const auto shares = WeightShares(team);
    for (const auto& rep : team.reps()) {
      metrics_->Fairness(team.team_id(), rep.rep_id(), shares.at(rep.rep_id()), 0.1, 20);
    }
  }
  EXPECT_EQ(Assignments("ka-c"), 0) << "every rep's counter exists before its first lead";
  EXPECT_DOUBLE_EQ(registry_
                       .GetGauge("leadflow_routing_rep_weight_share_ratio", "",
                                 {{"team", "key-accounts"}, {"rep", "ka-a"}})
                       .Value(),
                   0.5);
  for (int i = 0; i < 12; ++i) {
    auto out = Handle(Lead("F" + std::to_string(i), cv1::ENTERPRISE, cv1::DEAL_BAND_LARGE));
    ASSERT_EQ(out.size(), 1u);
    ASSERT_EQ(out[0].topic, topics::kLeadsAssigned);
  }
  EXPECT_EQ(Assignments("ka-a"), 6);
  EXPECT_EQ(Assignments("ka-b"), 4);
  EXPECT_EQ(Assignments("ka-c"), 2);
  // A redelivery decides nothing new: not counted again.
  Handle(Lead("F0", cv1::ENTERPRISE, cv1::DEAL_BAND_LARGE));
  EXPECT_EQ(Assignments("ka-a") + Assignments("ka-b") + Assignments("ka-c"), 12);
}

}  // namespace
}  // namespace leadflow::routing
