// The nurture scheduler's clock. By default it is real time. Demos and e2e
// tests may pin where schedule time starts and run it faster, so week-long
// tracks play in seconds and quiet hours do not depend on when a test runs:
//   now = start + (real_now - origin) * scale
// LEADFLOW_NURTURE_TIME_SCALE (default 1), LEADFLOW_NURTURE_TIME_ORIGIN_MS
// (a real instant, default: process start) and LEADFLOW_NURTURE_TIME_START_MS
// (the schedule instant at origin, default: origin). Give every (re)started
// process the same origin and start so schedule time never runs backwards.
// Only the schedule speeds up: caps, quiet hours and delays keep their
// configured values in schedule time. Thread-safe, immutable.
#pragma once

#include <cstdint>
#include <string>

#include "common/util/clock.h"
#include "common/util/status.h"

namespace leadflow::nurture {

class ScaledClock final : public Clock {
 public:
  ScaledClock(const Clock& real, double scale, int64_t origin_ms, int64_t start_ms)
      : real_(real), scale_(scale), origin_ms_(origin_ms), start_ms_(start_ms) {}
  std::chrono::system_clock::time_point Now() const override;

  // Reads the three variables; errors name the variable and the bad value.
  static StatusOr<ScaledClock> FromEnv(const Clock& real);
  double scale() const { return scale_; }

 private:
  const Clock& real_;
  double scale_;
  int64_t origin_ms_;
  int64_t start_ms_;
};

}  // namespace leadflow::nurture
