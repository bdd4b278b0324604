#include "nurture/app/scaled_clock.h"

#include <cstdlib>

#include "common/util/time_scale.h"

namespace leadflow::nurture {

std::chrono::system_clock::time_point ScaledClock::Now() const {
  const int64_t real = real_.NowMillis();
  const auto ms = start_ms_ + static_cast<int64_t>(static_cast<double>(real - origin_ms_) * scale_);
  return std::chrono::system_clock::time_point(std::chrono::milliseconds(ms));
}

namespace {

// Epoch milliseconds from the environment variable `name`, or `fallback` when unset.
StatusOr<int64_t> EpochMsFromEnv(const char* name, int64_t fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  char* end = nullptr;
  const int64_t ms = std::strtoll(v, &end, 10);
  if (end == v || *end != '\0' || ms <= 0) {
    return Status::InvalidArgument(std::string(name) + ": expected epoch milliseconds, got \"" + v +
                                   "\"");
  }
  return ms;
}

}  // namespace

StatusOr<ScaledClock> ScaledClock::FromEnv(const Clock& real) {
  auto scale = TimeScaleFromEnv("LEADFLOW_NURTURE_TIME_SCALE");
  if (!scale.ok()) return scale.status();
  auto origin = EpochMsFromEnv("LEADFLOW_NURTURE_TIME_ORIGIN_MS", real.NowMillis());
  if (!origin.ok()) return origin.status();
  auto start = EpochMsFromEnv("LEADFLOW_NURTURE_TIME_START_MS", *origin);
  if (!start.ok()) return start.status();
  return ScaledClock(real, *scale, *origin, *start);
}

}  // namespace leadflow::nurture
