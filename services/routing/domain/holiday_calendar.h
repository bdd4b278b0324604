// A holiday calendar (docs/domain-rules.md, "Calendars"): the dates on which
// a rep's weekly working pattern does not hold. Built once from the config's
// HolidayCalendar and validated there; immutable and thread-safe after.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "common/util/status.h"
#include "leadflow/config/v1/routing_rules.pb.h"

namespace leadflow::routing {

// A local calendar date.
struct CalendarDate {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
  auto operator<=>(const CalendarDate&) const = default;
  std::string ToString() const;  // "yyyy-mm-dd"
};

// "yyyy-mm-dd" of a real date, else nullopt (2027-02-29 is not one).
std::optional<CalendarDate> ParseCalendarDate(std::string_view text);

class HolidayCalendar {
 public:
  enum class Day {
    kAsUsual,     // the weekly pattern holds
    kDayOff,      // no work (a public holiday, a day off moved onto a weekday)
    kWorkingDay,  // a work day whatever its weekday (a moved Saturday)
    kShortDay,    // a work day one hour shorter (before a public holiday)
  };

  // kInvalidArgument naming the field under `field` (e.g.
  // "holiday_calendars[0].days_off[3]: 2026-02-30 is not a date"): an empty
  // id, a malformed or repeated date, a date in two lists or outside
  // [covers_from, covers_to], or covers_to before covers_from.
  static StatusOr<HolidayCalendar> Create(const leadflow::config::v1::HolidayCalendar& config,
                                          std::string_view field);

  const std::string& id() const { return id_; }
  Day KindOf(const CalendarDate& date) const;
  // The last date the calendar covers (its data stops there).
  const CalendarDate& covers_to() const { return covers_to_; }
  // The end of covers_to (UTC midnight after it): the calendar's data stops.
  std::chrono::system_clock::time_point CoveredUntil() const;

 private:
  HolidayCalendar() = default;
  std::string id_;
  CalendarDate covers_from_, covers_to_;
  std::set<CalendarDate> days_off_, working_days_, short_days_;
};

}  // namespace leadflow::routing
