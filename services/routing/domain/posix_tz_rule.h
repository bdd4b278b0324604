// A POSIX TZ rule (the TZ variable's form, and a TZif v2+ file's footer):
// the offsets in effect after a zone's last transition (time_zone.h).
// Immutable after Parse(); thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/util/status.h"

namespace leadflow::routing {

// A POSIX TZ rule such as "MSK-3" or "CET-1CEST,M3.5.0,M10.5.0/3".
class PosixTzRule {
 public:
  static StatusOr<PosixTzRule> Parse(std::string_view spec);
  // Seconds east of UTC in effect at `unix_seconds`.
  int32_t UtcOffsetAt(int64_t unix_seconds) const;

 private:
  struct DateRule {
    enum class Kind { kJulianNoLeap, kZeroBasedDay, kMonthWeekDay } kind = Kind::kMonthWeekDay;
    int a = 0, b = 0, c = 0;  // Jn: a=n; n: a=n; Mm.w.d: a=m, b=w, c=d
    int32_t time = 7200;      // seconds after local midnight (may be negative or > 24 h)
  };
  // Seconds since the epoch (local-time based) of the rule's moment in `year`.
  static int64_t LocalInstant(const DateRule& rule, int year);
  static bool ParseDateRule(std::string_view& s, DateRule* out);

  int32_t std_offset_ = 0;  // seconds east of UTC
  int32_t dst_offset_ = 0;
  bool has_dst_ = false;
  DateRule start_, end_;
};

}  // namespace leadflow::routing
