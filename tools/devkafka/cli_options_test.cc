#include "tools/devkafka/cli_options.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace leadflow::devkafka {
namespace {

using ::testing::HasSubstr;

TEST(ParseCliOptionsTest, Defaults) {
  CliParseResult result = ParseCliOptions({});
  ASSERT_TRUE(result.ok) << result.error;
  EXPECT_EQ(result.options.brokers, 1);
  EXPECT_EQ(result.options.topics_file, "");
  EXPECT_EQ(result.options.info_file, "");
  EXPECT_EQ(result.options.control_port, 0);
  EXPECT_FALSE(result.options.quiet);
  EXPECT_FALSE(result.options.help);
}

TEST(ParseCliOptionsTest, SeparateAndInlineValues) {
  CliParseResult result =
      ParseCliOptions({"--brokers", "3", "--topics-file=/t.txt", "--info-file", "/i.json",
                       "--control-port=8085", "--quiet"});
  ASSERT_TRUE(result.ok) << result.error;
  EXPECT_EQ(result.options.brokers, 3);
  EXPECT_EQ(result.options.topics_file, "/t.txt");
  EXPECT_EQ(result.options.info_file, "/i.json");
  EXPECT_EQ(result.options.control_port, 8085);
  EXPECT_TRUE(result.options.quiet);
}

TEST(ParseCliOptionsTest, Help) {
  EXPECT_TRUE(ParseCliOptions({"--help"}).options.help);
  EXPECT_TRUE(ParseCliOptions({"-h"}).options.help);
}

TEST(ParseCliOptionsTest, RejectsBadInput) {
  EXPECT_THAT(ParseCliOptions({"--brokers", "0"}).error, HasSubstr("--brokers"));
  EXPECT_THAT(ParseCliOptions({"--brokers", "17"}).error, HasSubstr("[1, 16]"));
  EXPECT_THAT(ParseCliOptions({"--brokers", "three"}).error, HasSubstr("\"three\""));
  EXPECT_THAT(ParseCliOptions({"--brokers"}).error, HasSubstr("--brokers: missing value"));
  EXPECT_THAT(ParseCliOptions({"--control-port", "70000"}).error, HasSubstr("--control-port"));
  EXPECT_THAT(ParseCliOptions({"--info-file="}).error, HasSubstr("must not be empty"));
  EXPECT_THAT(ParseCliOptions({"--quiet=yes"}).error, HasSubstr("does not take a value"));
  EXPECT_THAT(ParseCliOptions({"--bogus"}).error, HasSubstr("unknown argument \"--bogus\""));
  EXPECT_THAT(ParseCliOptions({"stray"}).error, HasSubstr("unknown argument \"stray\""));
  EXPECT_FALSE(ParseCliOptions({"--brokers", "2", "--nope"}).ok);
}

TEST(UsageTextTest, MentionsEveryFlagAndEndpoint) {
  std::string usage = UsageText("leadflow-devkafka");
  for (const char* part : {"Usage: leadflow-devkafka", "--brokers N", "--topics-file PATH",
                           "--info-file PATH", "--control-port P", "--quiet", "--help",
                           "bootstrap=", "GET    /status", "/brokers/<id>/down",
                           "/brokers/<id>/up", "POST   /errors", "DELETE /errors?api_key=K",
                           "POST   /topics", "SIGTERM"}) {
    EXPECT_THAT(usage, HasSubstr(part));
  }
}

}  // namespace
}  // namespace leadflow::devkafka
