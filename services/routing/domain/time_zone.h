// IANA time zones without the C++20 tz database.
//
// g++ 12's libstdc++ has the C++20 calendar types but not std::chrono::tzdb
// (locate_zone arrives in GCC 13), and localtime_r with a swapped TZ variable
// is process-global state, unusable in a multithreaded service. So routing
// parses TZif files (RFC 8536) itself: the transition table, and the POSIX TZ
// rule in the v2+ footer for instants after the last transition.
//
// TimeZone is an immutable value built once at config load; every method is
// const and safe to call from any thread. Parsing is pure (bytes in, value
// out): reading the file is the caller's job (see app/zoneinfo_loader.h).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/util/status.h"
#include "routing/domain/posix_tz_rule.h"

namespace leadflow::routing {

// A wall-clock reading in some zone: the date (month 1..12, day 1..31), the
// ISO weekday (1 = Monday .. 7 = Sunday) and the time of day.
struct LocalTime {
  int year = 1970, month = 1, day = 1;
  int weekday = 4;
  int hour = 0, minute = 0, second = 0;
};

class TimeZone {
 public:
  // A zone at a constant offset from UTC (tests, "UTC").
  static std::shared_ptr<const TimeZone> Fixed(std::string name, int32_t utc_offset_seconds);
  // A zone governed by one POSIX TZ rule.
  static StatusOr<std::shared_ptr<const TimeZone>> FromPosix(std::string name,
                                                             std::string_view spec);
  // Parses the contents of a TZif file (versions 1..4).
  static StatusOr<std::shared_ptr<const TimeZone>> FromTzif(std::string name,
                                                            std::string_view bytes);

  const std::string& name() const { return name_; }
  // Seconds east of UTC in effect at the given instant.
  int32_t UtcOffsetAt(std::chrono::system_clock::time_point t) const;
  // The local wall-clock reading at the given instant.
  LocalTime ToLocal(std::chrono::system_clock::time_point t) const;

 private:
  TimeZone() = default;
  std::string name_;
  std::vector<int64_t> transitions_;         // ascending unix seconds
  std::vector<int32_t> transition_offsets_;  // offset in effect from transitions_[i]
  int32_t initial_offset_ = 0;               // before the first transition
  std::optional<PosixTzRule> footer_;        // after the last transition
};

// Finds a zone by IANA name; returns NotFound/InvalidArgument with a message.
using ZoneResolver =
    std::function<StatusOr<std::shared_ptr<const TimeZone>>(const std::string& name)>;

}  // namespace leadflow::routing
