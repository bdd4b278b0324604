#include "common/config/file_watcher.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

namespace leadflow::config {
namespace {

class FileWatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/leadflow-watch-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/rules.json";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void Write(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::trunc);
    out << text;
  }
  std::string dir_;
  std::string path_;
  int calls_ = 0;
};

TEST_F(FileWatcherTest, InitialContentIsTheBaseline) {
  Write(path_, "{\"v\":1}");
  FileWatcher w(path_, [this] { ++calls_; });
  EXPECT_FALSE(w.CheckNow());
  EXPECT_EQ(calls_, 0);
}

TEST_F(FileWatcherTest, SameSizeRewriteWithinTheSameSecondIsSeen) {
  Write(path_, "{\"v\":1}");
  FileWatcher w(path_, [this] { ++calls_; });
  Write(path_, "{\"v\":2}");  // same size, likely the same mtime
  EXPECT_TRUE(w.CheckNow());
  EXPECT_EQ(calls_, 1);
  EXPECT_FALSE(w.CheckNow());  // once per change
  Write(path_, "{\"v\":2}");   // rewritten with identical content: no change
  EXPECT_FALSE(w.CheckNow());
  EXPECT_EQ(calls_, 1);
}

TEST_F(FileWatcherTest, AtomicRenameAndSymlinkSwapAreSeen) {
  Write(dir_ + "/a.json", "A");
  Write(dir_ + "/b.json", "BB");
  std::filesystem::create_symlink(dir_ + "/a.json", path_);
  FileWatcher w(path_, [this] { ++calls_; });
  // ConfigMap style: a new symlink renamed over the old one.
  std::filesystem::create_symlink(dir_ + "/b.json", dir_ + "/tmp-link");
  std::filesystem::rename(dir_ + "/tmp-link", path_);
  EXPECT_TRUE(w.CheckNow());
  Write(dir_ + "/c.json", "CCC");
  std::filesystem::remove(path_);
  std::filesystem::rename(dir_ + "/c.json", path_);
  EXPECT_TRUE(w.CheckNow());
  EXPECT_EQ(calls_, 2);
}

TEST_F(FileWatcherTest, DisappearingAndReappearingAreChanges) {
  Write(path_, "x");
  FileWatcher w(path_, [this] { ++calls_; });
  std::filesystem::remove(path_);
  EXPECT_TRUE(w.CheckNow());
  EXPECT_FALSE(w.CheckNow());
  Write(path_, "x");
  EXPECT_TRUE(w.CheckNow());
  EXPECT_EQ(calls_, 2);
}

TEST_F(FileWatcherTest, RunPollsUntilStopped) {
  Write(path_, "1");
  std::atomic<int> calls{0};
  std::atomic<bool> stop{false};
  FileWatcher w(path_, [&] { ++calls; }, std::chrono::milliseconds(10));
  std::thread t([&] { w.Run(stop); });
  Write(path_, "2");
  for (int i = 0; i < 500 && calls.load() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  stop = true;
  t.join();
  EXPECT_EQ(calls.load(), 1);
}

}  // namespace
}  // namespace leadflow::config
