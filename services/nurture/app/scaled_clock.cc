#include "nurture/app/scaled_clock.h"

#include <cstdlib>

#include "common/util/time_scale.h"

namespace leadflow::nurture {

std::chrono::system_clock::time_point ScaledClock::Now() const {
  const int64_t real = real_.NowMillis();
  const auto ms = start_ms_ + static_cast<int64_t>(static_cast<double>(real - origin_ms_) * scale_);
  return std::chrono::system_clock::time_point(std::chrono::milliseconds(ms));
}

StatusOr<ScaledClock> ScaledClock::FromEnv(const Clock& real) {
  auto scale = TimeScaleFromEnv("LEADFLOW_NURTURE_TIME_SCALE");
  if (!scale.ok()) return scale.status();
  int64_t origin = real.NowMillis();
  if (const char* v = std::getenv("LEADFLOW_NURTURE_TIME_ORIGIN_MS"); v != nullptr && *v) {
    char* end = nullptr;
    origin = std::strtoll(v, &end, 10);
    if (end == v || *end != '\0' || origin <= 0) {
      return Status::InvalidArgument(
          std::string("LEADFLOW_NURTURE_TIME_ORIGIN_MS: expected epoch milliseconds, got \"") + v +
          "\"");
    }
  }
  int64_t start = origin;
  if (const char* v = std::getenv("LEADFLOW_NURTURE_TIME_START_MS"); v != nullptr && *v) {
    char* end = nullptr;
    start = std::strtoll(v, &end, 10);
    if (end == v || *end != '\0' || start <= 0) {
      return Status::InvalidArgument(
          std::string("LEADFLOW_NURTURE_TIME_START_MS: expected epoch milliseconds, got \"") + v +
          "\"");
    }
  }
  return ScaledClock(real, *scale, origin, start);
}

}  // namespace leadflow::nurture
