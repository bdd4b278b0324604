#include "common/lifecycle/shutdown.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>

#include "common/log/log.h"

namespace leadflow::lifecycle {
namespace {

std::atomic<bool> g_requested{false};
std::atomic<bool> g_failed{false};
std::mutex g_mu;
std::condition_variable g_cv;
std::string g_fatal_reason;  // guarded by g_mu

void Notify() {
  {
    std::lock_guard lock(g_mu);
    g_requested = true;
  }
  g_cv.notify_all();
}

}  // namespace

void Shutdown::Install() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
  std::thread([set] {
    int sig = 0;
    while (sigwait(&set, &sig) == 0) {
      if (g_requested.load()) {
        log::Warn("second signal during shutdown; exiting now");
        std::_Exit(1);
      }
      log::Info("shutdown requested", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
      Notify();
    }
  }).detach();
}

const std::atomic<bool>& Shutdown::Requested() { return g_requested; }

void Shutdown::Wait() {
  std::unique_lock lock(g_mu);
  g_cv.wait(lock, [] { return g_requested.load(); });
}

void Shutdown::RequestStop() { Notify(); }

void Shutdown::Fatal(const std::string& reason) {
  {
    std::lock_guard lock(g_mu);
    if (g_failed.exchange(true)) return;  // the first reason wins; one watchdog
    g_fatal_reason = reason;
  }
  log::Error("fatal error: stopping; the process will exit non-zero",
             {{"reason", reason}, {"exit_code", std::to_string(kFatalExitCode)}});
  std::thread([] {
    std::this_thread::sleep_for(kFatalExitDeadline);
    log::Error("fatal error: graceful stop did not finish in time; exiting now",
               {{"exit_code", std::to_string(kFatalExitCode)}});
    std::_Exit(kFatalExitCode);
  }).detach();
  Notify();
}

bool Shutdown::Failed() { return g_failed.load(); }

std::string Shutdown::FatalReason() {
  std::lock_guard lock(g_mu);
  return g_fatal_reason;
}

}  // namespace leadflow::lifecycle
