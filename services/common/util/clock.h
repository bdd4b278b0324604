// An injectable clock: production code reads time only through this, so that
// tests can pin it (docs/architecture.md, "Conventions": hermetic tests use an injected clock).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace leadflow {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::chrono::system_clock::time_point Now() const = 0;
  int64_t NowMillis() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Now().time_since_epoch()).count();
  }
};

class SystemClock final : public Clock {
 public:
  std::chrono::system_clock::time_point Now() const override {
    return std::chrono::system_clock::now();
  }
  // A process-wide instance; thread-safe, never destroyed.
  static const Clock& Instance();
};

// A manually driven clock for tests. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t millis = 0) : millis_(millis) {}
  std::chrono::system_clock::time_point Now() const override {
    return std::chrono::system_clock::time_point(std::chrono::milliseconds(millis_.load()));
  }
  void SetMillis(int64_t millis) { millis_ = millis; }
  void Advance(std::chrono::milliseconds d) { millis_ += d.count(); }

 private:
  std::atomic<int64_t> millis_;
};

}  // namespace leadflow
