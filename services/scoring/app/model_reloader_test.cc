#include "scoring/app/model_reloader.h"

#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/config/file_watcher.h"
#include "common/metrics/registry.h"
#include "common/metrics/service_metrics.h"
#include "scoring/testing/scoring_test_util.h"

namespace leadflow::scoring {
namespace {

class ModelReloaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/leadflow-scoring-model-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/scoring_model.json";
    WriteModel(testutil::SmallModel());
    auto p = LoadScoringModel(path_);
    ASSERT_TRUE(p.ok()) << p.status().message();
    holder_ = std::make_unique<ModelHolder>(*p);
    reloader_ = std::make_unique<ModelReloader>(path_, *holder_, metrics_, clock_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void WriteText(const std::string& text) {
    std::ofstream out(path_, std::ios::trunc);
    out << text;
  }
  void WriteModel(const leadflow::config::v1::ScoringModel& m) {
    std::string json;
    ASSERT_TRUE(google::protobuf::util::MessageToJsonString(m, &json).ok());
    WriteText(json);
  }

  std::string dir_;
  std::string path_;
  FakeClock clock_{1'795'000'000'000};
  metrics::Registry registry_;
  metrics::ServiceMetrics service_metrics_{registry_, "scoring"};
  ScoringMetrics metrics_{service_metrics_};
  std::unique_ptr<ModelHolder> holder_;
  std::unique_ptr<ModelReloader> reloader_;
};

TEST_F(ModelReloaderTest, StartupModelIsReportedInUse) {
  EXPECT_EQ(metrics_.ModelInfo("test-1"), 1);
  EXPECT_NE(registry_.Serialize().find("leadflow_scoring_model_info{version=\"test-1\"} 1"),
            std::string::npos);
}

TEST_F(ModelReloaderTest, ValidNewModelIsSwappedIn) {
  auto m = testutil::SmallModel();
  m.set_version("test-2");
  m.set_mql_threshold(120);
  WriteModel(m);
  ASSERT_TRUE(reloader_->Reload().ok());
  EXPECT_EQ(holder_->Get()->version(), "test-2");
  EXPECT_EQ(holder_->Get()->model().mql_threshold(), 120);
  EXPECT_EQ(metrics_.ModelInfo("test-2"), 1);
  EXPECT_EQ(metrics_.ModelInfo("test-1"), 0);
  EXPECT_EQ(metrics_.ModelReloadCount("ok"), 1);
}

TEST_F(ModelReloaderTest, InvalidModelIsRefusedNamingTheFieldAndTheOldStays) {
  const auto before = holder_->Get();
  auto m = testutil::SmallModel();
  m.set_version("test-bad");
  m.mutable_bant(0)->set_default_rating(9);
  WriteModel(m);
  Status s = reloader_->Reload();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("bant[0].default_rating"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find(path_), std::string::npos) << s.message();
  EXPECT_EQ(holder_->Get(), before);
  EXPECT_EQ(metrics_.ModelInfo("test-1"), 1);
  EXPECT_EQ(metrics_.ModelReloadCount("rejected"), 1);
}

TEST_F(ModelReloaderTest, UnknownFieldAndBrokenJsonAreRefused) {
  WriteText(R"({"version": "x", "surprise": 1})");
  Status s = reloader_->Reload();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("surprise"), std::string::npos) << s.message();
  WriteText("{ not json");
  EXPECT_FALSE(reloader_->Reload().ok());
  std::filesystem::remove(path_);
  EXPECT_FALSE(reloader_->Reload().ok());
  EXPECT_EQ(holder_->Get()->version(), "test-1");
  EXPECT_EQ(metrics_.ModelReloadCount("rejected"), 3);
}

TEST_F(ModelReloaderTest, FileWatcherDrivesTheReload) {
  config::FileWatcher watcher(path_, [&] { (void)reloader_->Reload(); });
  EXPECT_FALSE(watcher.CheckNow());
  auto m = testutil::SmallModel();
  m.set_version("test-3");
  WriteModel(m);
  EXPECT_TRUE(watcher.CheckNow());
  EXPECT_EQ(holder_->Get()->version(), "test-3");
  WriteText("{}");  // invalid: version missing
  EXPECT_TRUE(watcher.CheckNow());
  EXPECT_EQ(holder_->Get()->version(), "test-3");
  // Fixing the file later is picked up.
  m.set_version("test-4");
  WriteModel(m);
  EXPECT_TRUE(watcher.CheckNow());
  EXPECT_EQ(holder_->Get()->version(), "test-4");
}

}  // namespace
}  // namespace leadflow::scoring
