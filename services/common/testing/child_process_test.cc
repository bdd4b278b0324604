#include "common/testing/child_process.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "common/testing/temp_dir.h"

namespace leadflow::testing {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

std::unique_ptr<ChildProcess> StartShell(const std::string& script,
                                         std::map<std::string, std::string> env = {}) {
  ChildProcessOptions options;
  options.binary = "sh";
  options.args = {"-c", script};
  options.env = std::move(env);
  std::string error;
  auto child = ChildProcess::Start(options, &error);
  EXPECT_NE(child, nullptr) << error;
  return child;
}

TEST(ChildProcessTest, CapturesOutputAndExitCodeAndPassesEnv) {
  auto child = StartShell("echo out-$LEADFLOW_X; echo err >&2; exit 3", {{"LEADFLOW_X", "42"}});
  ASSERT_NE(child, nullptr);
  EXPECT_EQ(child->WaitForExit(5s), 3);
  EXPECT_FALSE(child->Running());
  EXPECT_EQ(child->ReadStdout(), "out-42\n");
  EXPECT_EQ(child->ReadStderr(), "err\n");
  EXPECT_EQ(child->exit_code(), 3);
}

TEST(ChildProcessTest, TerminateReturnsExitCodeOfSigtermHandler) {
  auto child = StartShell("trap 'exit 0' TERM; echo ready; while true; do sleep 0.05; done");
  ASSERT_NE(child, nullptr);
  ASSERT_TRUE(WaitForFile(child->stdout_path(), 5s, child.get()).has_value());
  EXPECT_TRUE(child->Running());
  EXPECT_EQ(child->Terminate(5s), 0);
  EXPECT_FALSE(child->Running());
  EXPECT_EQ(child->Terminate(), 0) << "idempotent";
}

TEST(ChildProcessTest, TerminateEscalatesToKill) {
  auto child = StartShell("trap '' TERM; echo ready; while true; do sleep 0.05; done");
  ASSERT_NE(child, nullptr);
  ASSERT_TRUE(WaitForFile(child->stdout_path(), 5s, child.get()).has_value());
  EXPECT_EQ(child->Terminate(300ms), 128 + SIGKILL);
}

TEST(ChildProcessTest, KillAndSignalReportSignalExit) {
  auto child = StartShell("exec sleep 30");
  ASSERT_NE(child, nullptr);
  EXPECT_FALSE(child->WaitForExit(100ms).has_value());
  EXPECT_EQ(child->Kill(), 128 + SIGKILL);
  EXPECT_FALSE(child->Signal(SIGTERM));
}

TEST(ChildProcessTest, MissingBinaryFailsToStart) {
  ChildProcessOptions options;
  options.binary = "/nonexistent/leadflow-nope";
  std::string error;
  EXPECT_EQ(ChildProcess::Start(options, &error), nullptr);
  EXPECT_THAT(error, HasSubstr("leadflow-nope"));
  options.binary = "leadflow-definitely-not-in-path";
  EXPECT_EQ(ChildProcess::Start(options, &error), nullptr);
}

TEST(ChildProcessTest, NonExecutableFileFailsToStart) {
  auto dir = TempDir::Create("child-test");
  ASSERT_NE(dir, nullptr);
  std::string path = dir->File("not-executable");
  std::ofstream(path) << "#!/bin/sh\n";
  std::filesystem::permissions(path, std::filesystem::perms::owner_read |
                                         std::filesystem::perms::owner_write);
  ChildProcessOptions options;
  options.binary = path;
  std::string error;
  EXPECT_EQ(ChildProcess::Start(options, &error), nullptr);
  EXPECT_THAT(error, HasSubstr("not-executable"));
}

TEST(ChildProcessTest, DestructorKillsRunningChild) {
  pid_t pid = -1;
  {
    auto child = StartShell("exec sleep 30");
    ASSERT_NE(child, nullptr);
    pid = child->pid();
  }
  EXPECT_NE(kill(pid, 0), 0) << "process " << pid << " still exists";
}

TEST(ChildProcessTest, ChildDoesNotInheritOpenDescriptors) {
  auto dir = TempDir::Create("child-test");
  ASSERT_NE(dir, nullptr);
  std::ofstream keep_open(dir->File("held"));  // An fd without CLOEXEC.
  auto child = StartShell("ls /proc/self/fd | wc -l");
  ASSERT_NE(child, nullptr);
  ASSERT_EQ(child->WaitForExit(5s), 0);
  // stdin, stdout, stderr and the fd `ls` opens for the directory listing.
  EXPECT_EQ(child->ReadStdout(), "4\n");
}

TEST(WaitForFileTest, ReturnsContentOnceWrittenAndTimesOut) {
  auto dir = TempDir::Create("wait-test");
  ASSERT_NE(dir, nullptr);
  std::string path = dir->File("f");
  EXPECT_EQ(WaitForFile(path, 50ms), std::nullopt);
  std::thread writer([&] {
    std::this_thread::sleep_for(100ms);
    std::ofstream(path) << "hello";
  });
  EXPECT_EQ(WaitForFile(path, 5s), "hello");
  writer.join();
}

TEST(WaitForFileTest, StopsEarlyWhenProcessExits) {
  auto child = StartShell("exit 1");
  ASSERT_NE(child, nullptr);
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(WaitForFile("/nonexistent/never", 10s, child.get()), std::nullopt);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST(TempDirTest, RemovedOnDestruction) {
  std::string path;
  {
    auto dir = TempDir::Create("tmp-test");
    ASSERT_NE(dir, nullptr);
    path = dir->path();
    std::ofstream(dir->File("x")) << "x";
    EXPECT_TRUE(std::filesystem::exists(path));
  }
  if (std::getenv("LEADFLOW_KEEP_TEST_TMP") == nullptr) {
    EXPECT_FALSE(std::filesystem::exists(path));
  }
}

}  // namespace
}  // namespace leadflow::testing
