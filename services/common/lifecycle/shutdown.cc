#include "common/lifecycle/shutdown.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "common/log/log.h"

namespace leadflow::lifecycle {
namespace {

std::atomic<bool> g_requested{false};
std::mutex g_mu;
std::condition_variable g_cv;

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

}  // namespace leadflow::lifecycle
