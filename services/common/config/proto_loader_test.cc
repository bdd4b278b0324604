#include "common/config/proto_loader.h"

#include <cstdio>
#include <fstream>

#include <gtest/gtest.h>

#include "leadflow/config/v1/routing_rules.pb.h"

namespace leadflow::config {
namespace {

std::string WriteTemp(const std::string& name, const std::string& text) {
  std::string path = ::testing::TempDir() + name;
  std::ofstream(path) << text;
  return path;
}

TEST(ProtoLoaderTest, LoadsJson) {
  auto path = WriteTemp("rules.json", R"({"version":"v1","teams":[{"team_id":"a"}]})");
  leadflow::config::v1::RoutingRules rules;
  ASSERT_TRUE(LoadProtoFile(path, &rules).ok());
  EXPECT_EQ(rules.version(), "v1");
  EXPECT_EQ(rules.teams(0).team_id(), "a");
}

TEST(ProtoLoaderTest, UnknownJsonFieldIsRejectedNamingFileAndField) {
  auto path = WriteTemp("bad.json", R"({"version":"v1","teamz":[]})");
  leadflow::config::v1::RoutingRules rules;
  Status s = LoadProtoFile(path, &rules);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find(path), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("teamz"), std::string::npos) << s.message();
}

TEST(ProtoLoaderTest, LoadsTextFormatAndRejectsUnknownFieldWithLine) {
  auto ok = WriteTemp("r.textproto", "version: \"v2\"\nteams { team_id: \"b\" }\n");
  leadflow::config::v1::RoutingRules rules;
  ASSERT_TRUE(LoadProtoFile(ok, &rules).ok());
  EXPECT_EQ(rules.teams(0).team_id(), "b");

  auto bad = WriteTemp("bad.textproto", "version: \"v2\"\nteamz { }\n");
  Status s = LoadProtoFile(bad, &rules);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("line 2"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("teamz"), std::string::npos) << s.message();
}

TEST(ProtoLoaderTest, MissingFileAndUnknownExtension) {
  leadflow::config::v1::RoutingRules rules;
  EXPECT_NE(LoadProtoFile("/nonexistent/x.json", &rules).message().find("cannot open"),
            std::string::npos);
  auto path = WriteTemp("rules.yaml", "x");
  EXPECT_NE(LoadProtoFile(path, &rules).message().find("extension"), std::string::npos);
}

}  // namespace
}  // namespace leadflow::config
