#include "routing/domain/working_hours.h"

#include <algorithm>
#include <cstdio>

namespace leadflow::routing {

bool WithinWorkingHours(const leadflow::config::v1::WorkingHours& hours, const TimeZone& zone,
                        std::chrono::system_clock::time_point now, std::string* detail) {
  const LocalTime local = zone.ToLocal(now);
  if (detail != nullptr) {
    static constexpr const char* kDays[] = {"", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    char buf[96];
    std::snprintf(buf, sizeof(buf), "%s %s %02d:%02d", zone.name().c_str(), kDays[local.weekday],
                  local.hour, local.minute);
    *detail = buf;
  }
  const auto& days = hours.weekdays();
  if (!days.empty() && std::find(days.begin(), days.end(), local.weekday) == days.end()) {
    return false;
  }
  const int start = hours.start_hour();
  const int end = hours.end_hour();
  if (start < end) return local.hour >= start && local.hour < end;
  return local.hour >= start || local.hour < end;
}

}  // namespace leadflow::routing
