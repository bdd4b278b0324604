#include "nurture/domain/send_window.h"

#include <absl/time/civil_time.h>
#include <absl/time/time.h>

#include <algorithm>

namespace leadflow::nurture {
namespace {

absl::TimeZone Zone(const std::string& name, const std::string& fallback) {
  absl::TimeZone tz;
  if (!name.empty() && absl::LoadTimeZone(name, &tz)) return tz;
  if (!fallback.empty() && absl::LoadTimeZone(fallback, &tz)) return tz;
  return absl::UTCTimeZone();
}

bool QuietAt(int hour, int start, int end) {
  if (start == end) return false;
  if (start < end) return hour >= start && hour < end;
  return hour >= start || hour < end;  // wraps midnight, e.g. 21..9
}

// When a window of `width_ms` holding `window` (ascending) has room for one more.
int64_t FreeAt(const std::vector<int64_t>& window, int cap, int64_t width_ms) {
  const int count = static_cast<int>(window.size());
  if (count < cap) return 0;
  return window[static_cast<size_t>(count - cap)] + width_ms;
}

}  // namespace

bool IsKnownTimeZone(const std::string& name) {
  absl::TimeZone tz;
  return !name.empty() && absl::LoadTimeZone(name, &tz);
}

int LocalHour(int64_t ms, const std::string& tz, const std::string& fallback_tz) {
  const absl::CivilSecond cs = absl::ToCivilSecond(absl::FromUnixMillis(ms), Zone(tz, fallback_tz));
  return cs.hour();
}

bool InQuietHours(int64_t ms, const leadflow::config::v1::QuietHours& q, const std::string& tz) {
  return QuietAt(LocalHour(ms, tz, q.default_time_zone()), q.start_hour(), q.end_hour());
}

int64_t QuietHoursEnd(int64_t ms, const leadflow::config::v1::QuietHours& q,
                      const std::string& tz) {
  if (!InQuietHours(ms, q, tz)) return ms;
  const absl::TimeZone zone = Zone(tz, q.default_time_zone());
  const absl::CivilSecond now = absl::ToCivilSecond(absl::FromUnixMillis(ms), zone);
  absl::CivilHour end(now.year(), now.month(), now.day(), q.end_hour());
  if (absl::CivilSecond(end) <= now) end += 24;
  const int64_t end_ms = absl::ToUnixMillis(absl::FromCivil(end, zone));
  return std::max(end_ms, ms);
}

SendDecision EarliestSend(int64_t now_ms, std::vector<int64_t> sends_ms,
                          const leadflow::config::v1::FrequencyCaps& caps,
                          const leadflow::config::v1::QuietHours& quiet,
                          const std::string& contact_tz) {
  std::sort(sends_ms.begin(), sends_ms.end());
  std::vector<int64_t> day, week;
  for (int64_t s : sends_ms) {
    if (s + kWeekMs > now_ms) week.push_back(s);
    if (s + kDayMs > now_ms) day.push_back(s);
  }
  SendDecision d{now_ms, HoldReason::kNone};
  const int64_t capped = std::max(FreeAt(day, caps.per_day(), kDayMs),
                                  FreeAt(week, caps.per_week(), kWeekMs));
  if (capped > d.at_ms) {
    d.at_ms = capped;
    d.reason = HoldReason::kFrequencyCap;
  }
  const int64_t after_quiet = QuietHoursEnd(d.at_ms, quiet, contact_tz);
  if (after_quiet > d.at_ms) {
    d.at_ms = after_quiet;
    if (d.reason == HoldReason::kNone) d.reason = HoldReason::kQuietHours;
  }
  return d;
}

}  // namespace leadflow::nurture
