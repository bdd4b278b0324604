#include "common/testing/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/testing/temp_dir.h"

extern char** environ;

namespace leadflow::testing {
namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(10);

bool IsExecutable(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(path.c_str(), X_OK) == 0;
}

// Resolves a bare name through $PATH; paths containing '/' are used as is.
std::optional<std::string> ResolveBinary(const std::string& binary) {
  if (binary.empty()) return std::nullopt;
  if (binary.find('/') != std::string::npos) {
    return IsExecutable(binary) ? std::optional<std::string>(binary) : std::nullopt;
  }
  const char* path_env = std::getenv("PATH");
  std::string path = path_env != nullptr ? path_env : "/usr/local/bin:/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t colon = path.find(':', start);
    if (colon == std::string::npos) colon = path.size();
    std::string dir = path.substr(start, colon - start);
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + binary;
    if (IsExecutable(candidate)) return candidate;
    start = colon + 1;
  }
  return std::nullopt;
}

std::string Basename(const std::string& path) {
  std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

int DecodeStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// Sends errno to the parent through the error pipe and exits (child side).
[[noreturn]] void ReportChildFailure(int error_fd) {
  int err = errno;
  ssize_t ignored = write(error_fd, &err, sizeof(err));
  (void)ignored;
  _exit(127);
}

// Runs in the forked child: only async-signal-safe calls until execve.
[[noreturn]] void ExecChild(const char* path, char* const* argv, char* const* envp,
                            const char* stdout_path, const char* stderr_path, int error_fd,
                            pid_t parent, bool kill_with_parent) {
  auto fail = [error_fd]() { ReportChildFailure(error_fd); };
  if (kill_with_parent) {
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) fail();
    if (getppid() != parent) _exit(127);  // Parent already gone.
  }
  sigset_t empty;
  sigemptyset(&empty);
  sigprocmask(SIG_SETMASK, &empty, nullptr);
  for (int sig = 1; sig < NSIG; ++sig) signal(sig, SIG_DFL);

  int in = open("/dev/null", O_RDONLY);
  int out = open(stdout_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  int err = open(stderr_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (in < 0 || out < 0 || err < 0) fail();
  if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) fail();
  // Close everything else except the (close-on-exec) error pipe.
  for (int fd = 3; fd < error_fd; ++fd) close(fd);
  close_range(static_cast<unsigned>(error_fd) + 1, ~0u, 0);
  execve(path, argv, envp);
  ReportChildFailure(error_fd);
}

}  // namespace

std::unique_ptr<ChildProcess> ChildProcess::Start(const ChildProcessOptions& options,
                                                  std::string* error) {
  std::string ignored_error;
  if (error == nullptr) error = &ignored_error;
  std::optional<std::string> path = ResolveBinary(options.binary);
  if (!path) {
    *error = "cannot find executable \"" + options.binary + "\"";
    return nullptr;
  }

  std::unique_ptr<ChildProcess> child(new ChildProcess());
  child->binary_ = *path;
  std::string log_dir = options.log_dir;
  if (log_dir.empty()) {
    child->owned_log_dir_ = TempDir::Create("proc", error);
    if (!child->owned_log_dir_) return nullptr;
    log_dir = child->owned_log_dir_->path();
  }
  const std::string log_name = options.log_name.empty() ? Basename(*path) : options.log_name;
  child->stdout_path_ = log_dir + "/" + log_name + ".stdout";
  child->stderr_path_ = log_dir + "/" + log_name + ".stderr";

  // Everything the child needs is prepared before fork().
  std::vector<std::string> arg_strings;
  arg_strings.push_back(*path);
  arg_strings.insert(arg_strings.end(), options.args.begin(), options.args.end());
  std::vector<char*> argv;
  for (std::string& arg : arg_strings) argv.push_back(arg.data());
  argv.push_back(nullptr);

  std::map<std::string, std::string> env_map;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string kv = *entry;
    std::size_t eq = kv.find('=');
    if (eq != std::string::npos) env_map[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const auto& [key, value] : options.env) env_map[key] = value;
  std::vector<std::string> env_strings;
  for (const auto& [key, value] : env_map) env_strings.push_back(key + "=" + value);
  std::vector<char*> envp;
  for (std::string& kv : env_strings) envp.push_back(kv.data());
  envp.push_back(nullptr);

  int error_pipe[2];
  if (pipe2(error_pipe, O_CLOEXEC) != 0) {
    *error = std::string("pipe2 failed: ") + std::strerror(errno);
    return nullptr;
  }
  const pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    *error = std::string("fork failed: ") + std::strerror(errno);
    close(error_pipe[0]);
    close(error_pipe[1]);
    return nullptr;
  }
  if (pid == 0) {
    close(error_pipe[0]);
    ExecChild(path->c_str(), argv.data(), envp.data(), child->stdout_path_.c_str(),
              child->stderr_path_.c_str(), error_pipe[1], parent, options.kill_with_parent);
  }
  close(error_pipe[1]);
  child->pid_ = pid;

  int exec_errno = 0;
  ssize_t n;
  do {
    n = read(error_pipe[0], &exec_errno, sizeof(exec_errno));
  } while (n < 0 && errno == EINTR);
  close(error_pipe[0]);
  if (n == static_cast<ssize_t>(sizeof(exec_errno))) {
    int status = 0;
    waitpid(pid, &status, 0);
    child->pid_ = -1;
    *error = "cannot start " + *path + ": " + std::strerror(exec_errno);
    return nullptr;
  }
  return child;
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !exit_code_) Kill();
}

void ChildProcess::Reap(int status) { exit_code_ = DecodeStatus(status); }

bool ChildProcess::Running() {
  if (exit_code_ || pid_ <= 0) return false;
  int status = 0;
  pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    Reap(status);
    return false;
  }
  if (r < 0 && errno == ECHILD) {  // Someone else reaped it.
    exit_code_ = -1;
    return false;
  }
  return true;
}

std::optional<int> ChildProcess::WaitForExit(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (Running()) {
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(kPollInterval);
  }
  return exit_code_;
}

int ChildProcess::Terminate(std::chrono::milliseconds timeout) {
  if (!Running()) return exit_code_.value_or(-1);
  kill(pid_, SIGTERM);
  if (std::optional<int> code = WaitForExit(timeout)) return *code;
  return Kill();
}

int ChildProcess::Kill() {
  if (!Running()) return exit_code_.value_or(-1);
  kill(pid_, SIGKILL);
  int status = 0;
  pid_t r;
  do {
    r = waitpid(pid_, &status, 0);
  } while (r < 0 && errno == EINTR);
  if (r == pid_) {
    Reap(status);
  } else {
    exit_code_ = -1;
  }
  return *exit_code_;
}

bool ChildProcess::Signal(int signal_number) {
  if (!Running()) return false;
  return kill(pid_, signal_number) == 0;
}

std::string ChildProcess::ReadStdout() const {
  return ReadFileToString(stdout_path_).value_or("");
}

std::string ChildProcess::ReadStderr() const {
  return ReadFileToString(stderr_path_).value_or("");
}

std::string ChildProcess::Describe() const {
  std::ostringstream out;
  out << binary_ << " (pid " << pid_ << ")";
  if (exit_code_) out << " exited with " << *exit_code_;
  std::string err = ReadStderr();
  constexpr std::size_t kTail = 2000;
  if (err.size() > kTail) err = "..." + err.substr(err.size() - kTail);
  if (!err.empty()) out << "; stderr:\n" << err;
  return out.str();
}

std::optional<std::string> ReadFileToString(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

std::optional<std::string> WaitForFile(const std::string& path, std::chrono::milliseconds timeout,
                                       ChildProcess* process) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    std::optional<std::string> content = ReadFileToString(path);
    if (content && !content->empty()) return content;
    if (process != nullptr && !process->Running()) return std::nullopt;
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(kPollInterval);
  }
}

}  // namespace leadflow::testing
