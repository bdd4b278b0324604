#include "common/kafka/stats.h"

#include <gtest/gtest.h>

namespace leadflow::kafka {
namespace {

TEST(StatsTest, ReadsLagPerPartitionAndSkipsInternalAndUnknown) {
  auto lags = ParsePartitionLags(R"({"topics":{"leads.accepted":{"partitions":{
      "0":{"consumer_lag":5},"1":{"consumer_lag":-1},"-1":{"consumer_lag":9}}}}})");
  ASSERT_EQ(lags.size(), 1u);
  EXPECT_EQ(lags[0].topic, "leads.accepted");
  EXPECT_EQ(lags[0].partition, 0);
  EXPECT_EQ(lags[0].lag, 5);
}

TEST(StatsTest, MalformedJsonGivesNothing) {
  EXPECT_TRUE(ParsePartitionLags("{not json").empty());
  EXPECT_TRUE(ParsePartitionLags("[]").empty());
}

}  // namespace
}  // namespace leadflow::kafka
