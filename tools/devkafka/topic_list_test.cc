#include "tools/devkafka/topic_list.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

namespace leadflow::devkafka {
namespace {

using ::testing::HasSubstr;

TEST(DefaultTopicsTest, ContainsProjectTopicsWithPartitionCounts) {
  const std::vector<TopicSpec>& topics = DefaultTopics();
  ASSERT_EQ(topics.size(), 28u);
  EXPECT_EQ(topics.front(), (TopicSpec{"leads.submitted", 6}));
  EXPECT_EQ(topics.back(), (TopicSpec{"sales.feedback.customer-success", 3}));
  std::set<std::string> names;
  for (const TopicSpec& topic : topics) {
    EXPECT_EQ(ValidateTopicName(topic.name), "") << topic.name;
    EXPECT_EQ(ValidatePartitionCount(topic.partitions), "") << topic.name;
    names.insert(topic.name);
  }
  EXPECT_EQ(names.size(), topics.size()) << "duplicate default topic";
  for (const char* name : {"leads.accepted", "leads.rejected", "leads.scored", "leads.assigned",
                           "leads.nurture", "accounts.inbound", "accounts.changes",
                           "engagement.events", "sales.feedback", "nurture.touches",
                           "accounts.notifications", "reps.availability", "leads.discarded",
                           "deals.stages", "deals.stalls", "accounts.contacts",
                           "notifications.dead", "leads.cohorts", "sla.escalations",
                           "reps.out-of-office",
                           // one feedback topic per shipped team
                           "sales.feedback.key-accounts", "sales.feedback.enterprise",
                           "sales.feedback.mid-market", "sales.feedback.small-deals",
                           "sales.feedback.partners", "sales.feedback.customer-success"}) {
    EXPECT_TRUE(names.count(name)) << name;
  }
}

TEST(ValidateTopicNameTest, AcceptsLegalNames) {
  EXPECT_EQ(ValidateTopicName("a"), "");
  EXPECT_EQ(ValidateTopicName("Leads_2.x-y"), "");
  EXPECT_EQ(ValidateTopicName(std::string(249, 'a')), "");
}

TEST(ValidateTopicNameTest, RejectsIllegalNames) {
  EXPECT_THAT(ValidateTopicName(""), HasSubstr("empty"));
  EXPECT_THAT(ValidateTopicName("."), HasSubstr("\".\""));
  EXPECT_THAT(ValidateTopicName(".."), HasSubstr("\"..\""));
  EXPECT_THAT(ValidateTopicName(std::string(250, 'a')), HasSubstr("249"));
  EXPECT_THAT(ValidateTopicName("a/b"), HasSubstr("'/'"));
  EXPECT_THAT(ValidateTopicName("a b"), HasSubstr("illegal"));
}

TEST(ValidatePartitionCountTest, Bounds) {
  EXPECT_EQ(ValidatePartitionCount(1), "");
  EXPECT_EQ(ValidatePartitionCount(kMaxPartitions), "");
  EXPECT_NE(ValidatePartitionCount(0), "");
  EXPECT_NE(ValidatePartitionCount(-3), "");
  EXPECT_NE(ValidatePartitionCount(kMaxPartitions + 1), "");
}

TEST(ParseTopicListTest, ParsesNamesCountsCommentsAndBlankLines) {
  std::vector<TopicSpec> topics;
  std::string error;
  ASSERT_TRUE(ParseTopicList("# project topics\n"
                             "\n"
                             "leads.submitted 6\n"
                             "  leads.rejected\t3   # trailing comment\r\n"
                             "x 1",
                             &topics, &error))
      << error;
  EXPECT_EQ(topics, (std::vector<TopicSpec>{
                        {"leads.submitted", 6}, {"leads.rejected", 3}, {"x", 1}}));
}

TEST(ParseTopicListTest, LeavesOutputUntouchedOnError) {
  std::vector<TopicSpec> topics = {{"keep", 1}};
  std::string error;
  EXPECT_FALSE(ParseTopicList("a 1\nb\n", &topics, &error));
  EXPECT_EQ(topics, (std::vector<TopicSpec>{{"keep", 1}}));
}

struct BadInput {
  const char* text;
  const char* expected_error_part;
};

class ParseTopicListErrorTest : public ::testing::TestWithParam<BadInput> {};

TEST_P(ParseTopicListErrorTest, ReportsLineNumberAndReason) {
  std::vector<TopicSpec> topics;
  std::string error;
  EXPECT_FALSE(ParseTopicList(GetParam().text, &topics, &error));
  EXPECT_THAT(error, HasSubstr(GetParam().expected_error_part));
}

INSTANTIATE_TEST_SUITE_P(
    BadInputs, ParseTopicListErrorTest,
    ::testing::Values(BadInput{"", "no topics defined"},
                      BadInput{"# only a comment\n\n", "no topics defined"},
                      BadInput{"a 1\nb\n", "line 2: expected \"<topic> <partitions>\", got 1"},
                      BadInput{"a 1 2\n", "line 1: expected \"<topic> <partitions>\", got 3"},
                      BadInput{"\n\na six\n", "line 3: partition count \"six\" of topic \"a\""},
                      BadInput{"a 6x\n", "line 1: partition count \"6x\""},
                      BadInput{"a 0\n", "line 1: partition count must be between 1 and 1000"},
                      BadInput{"a -1\n", "line 1: partition count must be between"},
                      BadInput{"a 99999999999999999999\n", "line 1: partition count"},
                      BadInput{"a 1\nb$ 2\n", "line 2: topic name contains illegal character '$'"},
                      BadInput{"a 1\n# c\na 2\n", "line 3: duplicate topic \"a\""}));

TEST(DescribeTopicsTest, FormatsNameAndPartitions) {
  EXPECT_EQ(DescribeTopics({{"a", 6}, {"b", 3}}), "a(6), b(3)");
  EXPECT_EQ(DescribeTopics({}), "");
}

}  // namespace
}  // namespace leadflow::devkafka
