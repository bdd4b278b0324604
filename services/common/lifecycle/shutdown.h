// SIGTERM / SIGINT handling. Install() must run first in main(), before any
// thread starts: it blocks both signals in every thread and starts one waiter
// thread that turns the first signal into a flag the whole process can read.
// A second signal while shutting down exits immediately with status 1.
#pragma once

#include <atomic>
#include <chrono>

namespace leadflow::lifecycle {

class Shutdown {
 public:
  static void Install();
  // The process-wide stop flag; consumer loops watch it.
  static const std::atomic<bool>& Requested();
  // Blocks until a signal arrives or RequestStop() is called.
  static void Wait();
  // Triggers shutdown from inside the process (e.g. a fatal error).
  static void RequestStop();
};

}  // namespace leadflow::lifecycle
