// Spawning and supervising helper processes (servers under test, kcat, ...)
// from tests, with stdout/stderr captured to files.

#ifndef LEADFLOW_SERVICES_COMMON_TESTING_CHILD_PROCESS_H_
#define LEADFLOW_SERVICES_COMMON_TESTING_CHILD_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace leadflow::testing {

class TempDir;

/// What to run and how.
struct ChildProcessOptions {
  /// Path of the executable, or a bare name looked up in $PATH.
  std::string binary;
  /// Arguments after argv[0] (argv[0] is `binary`).
  std::vector<std::string> args;
  /// Variables added to (or overriding) the test process's environment.
  std::map<std::string, std::string> env;
  /// Directory for the "<log_name>.stdout" / "<log_name>.stderr" capture
  /// files. Empty: a fresh TempDir owned (and removed) by the ChildProcess.
  std::string log_dir;
  /// Base name of the capture files; empty = basename of `binary`.
  std::string log_name;
  /// Ask the kernel to SIGKILL the child when the spawning *thread* dies, so
  /// a crashed test binary does not leak servers. Disable when spawning from
  /// a short-lived thread.
  bool kill_with_parent = true;
};

/// A running (or exited) child process. stdin is /dev/null, stdout and
/// stderr go to files, all other descriptors of the test process are closed
/// in the child, and the child starts with default signal mask/dispositions.
///
/// Exit codes follow the shell convention: the exit status for a normal exit,
/// 128 + signal number if the process was killed by a signal.
///
/// Not thread-safe; use from one thread. The destructor SIGKILLs the process
/// if it is still running and reaps it.
class ChildProcess {
 public:
  /// Spawns the process (fork + execve). Returns nullptr and sets `*error`
  /// (if non-null) when it cannot be started, including when exec fails
  /// (e.g. the binary does not exist).
  static std::unique_ptr<ChildProcess> Start(const ChildProcessOptions& options,
                                             std::string* error = nullptr);

  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }

  /// True until the process has exited (reaps it if it has).
  bool Running();

  /// Waits up to `timeout` for the process to exit. Returns its exit code,
  /// or std::nullopt if it is still running.
  std::optional<int> WaitForExit(std::chrono::milliseconds timeout);

  /// Sends SIGTERM and waits up to `timeout`; if the process is still alive
  /// then, SIGKILLs it (yielding 137). Returns the exit code. Calling it on
  /// an exited process just returns the exit code.
  int Terminate(std::chrono::milliseconds timeout = std::chrono::seconds(10));

  /// Sends SIGKILL and reaps the process. Returns the exit code (137 unless
  /// it had already exited).
  int Kill();

  /// Sends an arbitrary signal (no waiting). False if the process is gone.
  bool Signal(int signal_number);

  /// Exit code if the process has been reaped.
  std::optional<int> exit_code() const { return exit_code_; }

  const std::string& stdout_path() const { return stdout_path_; }
  const std::string& stderr_path() const { return stderr_path_; }

  /// Current contents of the captured output (may be partial while running).
  std::string ReadStdout() const;
  std::string ReadStderr() const;

  /// "<binary> (pid N)" plus the last lines of stderr, for failure messages.
  std::string Describe() const;

 private:
  ChildProcess() = default;
  void Reap(int status);

  std::unique_ptr<TempDir> owned_log_dir_;
  std::string binary_;
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
  std::string stdout_path_;
  std::string stderr_path_;
};

/// Reads a whole file. std::nullopt if it cannot be opened.
std::optional<std::string> ReadFileToString(const std::string& path);

/// Polls until `path` exists and is non-empty, then returns its contents.
/// Returns std::nullopt after `timeout`, or early if `process` (optional)
/// exits first. Intended for files written atomically (tmp + rename).
std::optional<std::string> WaitForFile(const std::string& path, std::chrono::milliseconds timeout,
                                       ChildProcess* process = nullptr);

}  // namespace leadflow::testing

#endif  // LEADFLOW_SERVICES_COMMON_TESTING_CHILD_PROCESS_H_
