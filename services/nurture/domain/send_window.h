// Scheduler maths (pure): when may a due touch go out to a contact?
//
//  - Frequency caps per contact across ALL tracks: at most caps.per_day sends
//    in any rolling 24 hours and caps.per_week in any rolling 7 days. A touch
//    over a cap is deferred to the moment the oldest blocking send leaves its
//    window, never dropped.
//  - Quiet hours [start_hour, end_hour) in the contact's local time (its IANA
//    time zone, else the configured default; the window may wrap midnight,
//    start == end means no quiet hours). A touch due inside them is deferred
//    to end_hour local time. DST gaps and overlaps follow absl's civil-time
//    rules.
// Deferring only moves time forward, which can only drop sends out of the
// windows, so the answer is final: sending at `at_ms` is within the caps and
// outside quiet hours. Thread-safe (absl time zones are immutable and cached).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/util/status.h"
#include "leadflow/config/v1/nurture_config.pb.h"

namespace leadflow::nurture {

inline constexpr int64_t kDayMs = 24LL * 3600 * 1000;
inline constexpr int64_t kWeekMs = 7 * kDayMs;

enum class HoldReason { kNone, kFrequencyCap, kQuietHours };

struct SendDecision {
  int64_t at_ms = 0;                     // == now_ms: send now
  HoldReason reason = HoldReason::kNone;  // why it was deferred (the first rule that did)
};

// True when `name` is a time zone absl can load (IANA name, e.g. "Asia/Vladivostok").
bool IsKnownTimeZone(const std::string& name);

// Local hour 0..23 of `ms` in zone `tz` (unknown zone: `fallback_tz`).
int LocalHour(int64_t ms, const std::string& tz, const std::string& fallback_tz);

// True when `ms` falls inside the quiet hours in zone `tz`.
bool InQuietHours(int64_t ms, const leadflow::config::v1::QuietHours& q, const std::string& tz);

// The first instant at or after `ms` that is outside quiet hours.
int64_t QuietHoursEnd(int64_t ms, const leadflow::config::v1::QuietHours& q,
                      const std::string& tz);

// The earliest instant >= now_ms at which one more touch may be sent to a
// contact whose previous sends (any track, any order; older than a week may be
// included and are ignored) are `sends_ms`.
SendDecision EarliestSend(int64_t now_ms, std::vector<int64_t> sends_ms,
                          const leadflow::config::v1::FrequencyCaps& caps,
                          const leadflow::config::v1::QuietHours& quiet,
                          const std::string& contact_tz);

}  // namespace leadflow::nurture
