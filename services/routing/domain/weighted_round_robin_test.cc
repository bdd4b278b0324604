#include "routing/domain/weighted_round_robin.h"

#include <gtest/gtest.h>

#include <map>

namespace leadflow::routing {
namespace {

TEST(SmoothWeightedRoundRobin, NginxSequenceIsSmooth) {
  SmoothWeightedRoundRobin wrr;
  std::vector<WrrCandidate> c = {{"a", 5}, {"b", 1}, {"c", 1}};
  std::string seq;
  for (int i = 0; i < 7; ++i) seq += wrr.Pick("p", c);
  // nginx's documented sequence for weights 5,1,1.
  EXPECT_EQ(seq, "aabacaa");
}

TEST(SmoothWeightedRoundRobin, EmptyCandidatesPickNothing) {
  SmoothWeightedRoundRobin wrr;
  EXPECT_EQ(wrr.Pick("p", {}), "");
}

TEST(SmoothWeightedRoundRobin, SharesOver10000PicksMatchWeights) {
  SmoothWeightedRoundRobin wrr;
  std::vector<WrrCandidate> c = {{"a", 3}, {"b", 2}, {"c", 2}, {"d", 1}};
  std::map<std::string, int> n;
  for (int i = 0; i < 10000; ++i) ++n[wrr.Pick("team", c)];
  EXPECT_NEAR(n["a"] / 10000.0, 3.0 / 8, 0.02);
  EXPECT_NEAR(n["b"] / 10000.0, 2.0 / 8, 0.02);
  EXPECT_NEAR(n["c"] / 10000.0, 2.0 / 8, 0.02);
  EXPECT_NEAR(n["d"] / 10000.0, 1.0 / 8, 0.02);
}

TEST(SmoothWeightedRoundRobin, PoolsRotateIndependently) {
  SmoothWeightedRoundRobin wrr;
  std::vector<WrrCandidate> c = {{"a", 1}, {"b", 1}};
  EXPECT_EQ(wrr.Pick("t1", c), "a");
  EXPECT_EQ(wrr.Pick("t2", c), "a");
  EXPECT_EQ(wrr.Pick("t1", c), "b");
}

TEST(SmoothWeightedRoundRobin, NonPositiveWeightTreatedAsOne) {
  SmoothWeightedRoundRobin wrr;
  std::vector<WrrCandidate> c = {{"a", 0}, {"b", -3}};
  std::map<std::string, int> n;
  for (int i = 0; i < 100; ++i) ++n[wrr.Pick("p", c)];
  EXPECT_EQ(n["a"], 50);
  EXPECT_EQ(n["b"], 50);
}

}  // namespace
}  // namespace leadflow::routing
