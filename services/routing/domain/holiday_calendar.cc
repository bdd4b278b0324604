#include "routing/domain/holiday_calendar.h"

#include <chrono>
#include <cstdio>
#include <optional>

namespace leadflow::routing {

std::string CalendarDate::ToString() const {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02d", year, month, day);
  return buf;
}

std::optional<CalendarDate> ParseCalendarDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  auto number = [&](size_t at, size_t len) {
    int v = 0;
    for (size_t i = at; i < at + len; ++i) {
      if (text[i] < '0' || text[i] > '9') return -1;
      v = v * 10 + (text[i] - '0');
    }
    return v;
  };
  const CalendarDate d{number(0, 4), number(5, 2), number(8, 2)};
  if (d.year < 0 || d.month < 0 || d.day < 0) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year{d.year},
                                        std::chrono::month{static_cast<unsigned>(d.month)},
                                        std::chrono::day{static_cast<unsigned>(d.day)}};
  if (!ymd.ok()) return std::nullopt;
  return d;
}

StatusOr<HolidayCalendar> HolidayCalendar::Create(
    const leadflow::config::v1::HolidayCalendar& config, std::string_view field) {
  const std::string f(field);
  HolidayCalendar c;
  if (config.calendar_id().empty()) return Status::InvalidArgument(f + ".calendar_id: required");
  c.id_ = config.calendar_id();
  auto bound = [&](const std::string& text, const char* name) -> StatusOr<CalendarDate> {
    auto d = ParseCalendarDate(text);
    if (!d) {
      return Status::InvalidArgument(f + "." + name + ": \"" + text +
                                     "\" is not a date (yyyy-mm-dd)");
    }
    return *d;
  };
  auto from = bound(config.covers_from(), "covers_from");
  if (!from.ok()) return from.status();
  auto to = bound(config.covers_to(), "covers_to");
  if (!to.ok()) return to.status();
  if (*to < *from) {
    return Status::InvalidArgument(f + ".covers_to: " + to->ToString() + " is before covers_from " +
                                   from->ToString());
  }
  c.covers_from_ = *from;
  c.covers_to_ = *to;
  auto fill = [&](const google::protobuf::RepeatedPtrField<std::string>& dates, const char* name,
                  std::set<CalendarDate>& into) -> Status {
    for (int i = 0; i < dates.size(); ++i) {
      const std::string at = f + "." + name + "[" + std::to_string(i) + "]: ";
      auto d = ParseCalendarDate(dates[i]);
      if (!d) return Status::InvalidArgument(at + "\"" + dates[i] + "\" is not a date (yyyy-mm-dd)");
      if (*d < c.covers_from_ || c.covers_to_ < *d) {
        return Status::InvalidArgument(at + dates[i] + " is outside covers_from..covers_to");
      }
      if (c.days_off_.count(*d) || c.working_days_.count(*d) || c.short_days_.count(*d)) {
        return Status::InvalidArgument(at + dates[i] + " is listed twice");
      }
      into.insert(*d);
    }
    return Status::Ok();
  };
  if (Status s = fill(config.days_off(), "days_off", c.days_off_); !s.ok()) return s;
  if (Status s = fill(config.working_days(), "working_days", c.working_days_); !s.ok()) return s;
  if (Status s = fill(config.short_days(), "short_days", c.short_days_); !s.ok()) return s;
  return c;
}

std::chrono::system_clock::time_point HolidayCalendar::CoveredUntil() const {
  const std::chrono::sys_days last = std::chrono::year{covers_to_.year} /
                                     static_cast<unsigned>(covers_to_.month) /
                                     static_cast<unsigned>(covers_to_.day);
  return last + std::chrono::days(1);
}

HolidayCalendar::Day HolidayCalendar::KindOf(const CalendarDate& date) const {
  if (days_off_.count(date)) return Day::kDayOff;
  if (working_days_.count(date)) return Day::kWorkingDay;
  if (short_days_.count(date)) return Day::kShortDay;
  return Day::kAsUsual;
}

}  // namespace leadflow::routing
