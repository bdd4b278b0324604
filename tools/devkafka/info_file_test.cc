#include "tools/devkafka/info_file.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace leadflow::devkafka {
namespace {

TEST(FormatInfoJsonTest, HasAllFields) {
  std::string text = FormatInfoJson("127.0.0.1:1,127.0.0.1:2", "127.0.0.1:3", 2);
  EXPECT_EQ(text.back(), '\n');
  nlohmann::json info = nlohmann::json::parse(text);
  EXPECT_EQ(info["bootstrap"], "127.0.0.1:1,127.0.0.1:2");
  EXPECT_EQ(info["control"], "127.0.0.1:3");
  EXPECT_EQ(info["brokers"], 2);
}

class WriteFileAtomicallyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "devkafka-info-XXXXXX");
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path dir_;
};

TEST_F(WriteFileAtomicallyTest, WritesAndReplacesWithoutLeavingTempFiles) {
  std::string path = dir_ / "info.json";
  std::string error;
  ASSERT_TRUE(WriteFileAtomically(path, "first", &error)) << error;
  ASSERT_TRUE(WriteFileAtomically(path, "second\n", &error)) << error;
  std::ifstream in(path);
  std::stringstream content;
  content << in.rdbuf();
  EXPECT_EQ(content.str(), "second\n");
  int entries = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir_)) ++entries;
  EXPECT_EQ(entries, 1);
}

TEST_F(WriteFileAtomicallyTest, ReportsMissingDirectory) {
  std::string error;
  EXPECT_FALSE(WriteFileAtomically(dir_ / "missing" / "info.json", "x", &error));
  EXPECT_NE(error.find("missing"), std::string::npos) << error;
}

}  // namespace
}  // namespace leadflow::devkafka
