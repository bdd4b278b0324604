// SIGTERM / SIGINT handling, and the fatal-error exit. Install() must run
// first in main(), before any thread starts: it blocks both signals in every
// thread and starts one waiter thread that turns the first signal into a flag
// the whole process can read. A second signal while shutting down exits
// immediately with status 1.
//
// Fatal(): a component that can no longer work (e.g. librdkafka reported
// RD_KAFKA_RESP_ERR__FATAL) asks the process to stop and be restarted by its
// orchestrator: Failed() becomes true (so /healthz fails), the same graceful
// stop as a signal begins, and the process exits with kFatalExitCode. If the
// graceful stop has not ended the process within kFatalExitDeadline, a
// watchdog ends it with that code. docs/reliability.md.
#pragma once

#include <atomic>
#include <chrono>
#include <string>

namespace leadflow::lifecycle {

// Exit status of a process stopped by Fatal().
inline constexpr int kFatalExitCode = 3;
inline constexpr std::chrono::seconds kFatalExitDeadline{20};

class Shutdown {
 public:
  static void Install();
  // The process-wide stop flag; consumer loops watch it.
  static const std::atomic<bool>& Requested();
  // Blocks until a signal arrives or RequestStop() or Fatal() is called.
  static void Wait();
  // Triggers a clean shutdown from inside the process.
  static void RequestStop();
  // Triggers shutdown after an unrecoverable error (thread-safe; the first
  // reason is kept). Arms the kFatalExitDeadline watchdog.
  static void Fatal(const std::string& reason);
  // True once Fatal() was called.
  static bool Failed();
  // The reason passed to the first Fatal() call ("" if none).
  static std::string FatalReason();
};

}  // namespace leadflow::lifecycle
