#include "routing/domain/working_hours.h"

#include <algorithm>
#include <cstdio>

namespace leadflow::routing {

bool WithinWorkingHours(const leadflow::config::v1::WorkingHours& hours, const TimeZone& zone,
                        std::chrono::system_clock::time_point now, std::string* detail,
                        const HolidayCalendar* calendar) {
  const LocalTime local = zone.ToLocal(now);
  const HolidayCalendar::Day kind = calendar == nullptr
                                        ? HolidayCalendar::Day::kAsUsual
                                        : calendar->KindOf({local.year, local.month, local.day});
  if (detail != nullptr) {
    if (kind == HolidayCalendar::Day::kDayOff) {
      *detail = "holiday " + CalendarDate{local.year, local.month, local.day}.ToString() +
                " (calendar " + calendar->id() + ")";
    } else {
      static constexpr const char* kDays[] = {"", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
      char buf[96];
      std::snprintf(buf, sizeof(buf), "%s %s %02d:%02d", zone.name().c_str(),
                    kDays[local.weekday], local.hour, local.minute);
      *detail = buf;
    }
  }
  if (kind == HolidayCalendar::Day::kDayOff) return false;
  const auto& days = hours.weekdays();
  if (kind != HolidayCalendar::Day::kWorkingDay && !days.empty() &&
      std::find(days.begin(), days.end(), local.weekday) == days.end()) {
    return false;
  }
  const int start = hours.start_hour();
  int end = hours.end_hour();
  if (start < end) {
    if (kind == HolidayCalendar::Day::kShortDay) --end;
    return local.hour >= start && local.hour < end;
  }
  return local.hour >= start || local.hour < end;
}

}  // namespace leadflow::routing
