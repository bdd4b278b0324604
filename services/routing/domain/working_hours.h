// Whether a rep is at work at an instant, in the rep's own IANA time zone and
// holiday calendar (docs/domain-rules.md, "Calendars").
#pragma once

#include <chrono>
#include <string>

#include "leadflow/config/v1/routing_rules.pb.h"
#include "routing/domain/holiday_calendar.h"
#include "routing/domain/time_zone.h"

namespace leadflow::routing {

// True when `now`, read in `zone`, falls on one of hours.weekdays (empty = every
// day) and within [start_hour, end_hour). start_hour > end_hour is an
// overnight shift (e.g. 22..6), judged by the weekday of the local instant.
// With a `calendar`, the local date's entry overrides the weekly pattern: a
// day off is never at work, a working day is at work whatever its weekday, a
// short day ends an hour early (day shifts only).
// `detail` (optional) receives e.g. "Europe/Moscow Sat 10:15", or on a day off
// "holiday 2026-01-07 (calendar RU)".
bool WithinWorkingHours(const leadflow::config::v1::WorkingHours& hours, const TimeZone& zone,
                        std::chrono::system_clock::time_point now, std::string* detail = nullptr,
                        const HolidayCalendar* calendar = nullptr);

}  // namespace leadflow::routing
