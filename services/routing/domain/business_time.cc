#include "routing/domain/business_time.h"

#include <algorithm>
#include <cstdio>

#include "routing/domain/working_hours.h"

namespace leadflow::routing {
namespace {

using std::chrono::seconds;
using std::chrono::system_clock;

// Seconds from `t` to the next local full hour (DST-safe: re-read each step).
int64_t SecondsToNextLocalHour(const TimeZone& zone, system_clock::time_point t) {
  const LocalTime l = zone.ToLocal(t);
  return 3600 - (l.minute * 60 + l.second);
}

}  // namespace

system_clock::time_point AddBusinessSeconds(const SlaCalendar& calendar,
                                            system_clock::time_point start,
                                            int64_t seconds_to_add) {
  static const OutOfOffice kNone;
  const OutOfOffice& away = calendar.away != nullptr ? *calendar.away : kNone;
  if (calendar.hours == nullptr && away.empty()) return start + seconds(seconds_to_add);
  int64_t remaining = seconds_to_add;
  system_clock::time_point t = std::chrono::floor<seconds>(start);
  auto ms_of = [](system_clock::time_point x) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(x.time_since_epoch()).count();
  };
  auto at_ms = [](int64_t ms) -> system_clock::time_point {
    return std::chrono::ceil<seconds>(system_clock::time_point(std::chrono::milliseconds(ms)));
  };
  // Hour-granular walk (and a jump over each away window); a year of hours
  // bounds any valid calendar.
  for (int steps = 0; remaining > 0 && steps < 24 * 400 + 2 * static_cast<int>(away.size());
       ++steps) {
    const int64_t now_ms = ms_of(t);
    if (const OutOfOfficeWindow* w = WindowAt(away, now_ms)) {
      t = std::max<system_clock::time_point>(t + seconds(1), at_ms(w->end_ms));
      continue;
    }
    int64_t room = remaining;
    for (const auto& w : away) {
      if (w.start_ms > now_ms) {
        room = std::min<int64_t>(room, std::max<int64_t>(1, (w.start_ms - now_ms + 999) / 1000));
        break;
      }
    }
    if (calendar.hours != nullptr) {
      const int64_t to_hour = SecondsToNextLocalHour(*calendar.zone, t);
      if (!WithinWorkingHours(*calendar.hours, *calendar.zone, t, nullptr, calendar.holidays)) {
        t += seconds(to_hour);
        continue;
      }
      room = std::min(room, to_hour);
    }
    t += seconds(room);
    remaining -= room;
  }
  return t + (start - std::chrono::floor<seconds>(start));
}

system_clock::time_point AddBusinessSeconds(const leadflow::config::v1::WorkingHours& hours,
                                            const TimeZone& zone, system_clock::time_point start,
                                            int64_t seconds_to_add) {
  return AddBusinessSeconds(SlaCalendar{&hours, &zone}, start, seconds_to_add);
}

system_clock::time_point AddBusinessMinutes(const leadflow::config::v1::WorkingHours& hours,
                                            const TimeZone& zone, system_clock::time_point start,
                                            int minutes) {
  return AddBusinessSeconds(hours, zone, start, int64_t{minutes} * 60);
}

SlaCalendar SlaCalendarOf(const RoutingPolicy& policy, const std::string& team_id,
                          const std::string& rep_id, const OutOfOffice* away) {
  SlaCalendar c;
  c.away = away;
  const auto* team = policy.FindTeam(team_id);
  if (team == nullptr) return c;
  if (const RepPolicy* rp = policy.FindRep(rep_id); rp != nullptr && rp->zone != nullptr) {
    c.hours = &rp->rep->hours();
    c.zone = rp->zone.get();
    c.holidays = rp->holidays;
  } else if (const auto* tz = policy.TeamZone(team_id); tz != nullptr) {
    c.hours = &team->business_hours();
    c.zone = tz;
    c.holidays = policy.TeamHolidays(team_id);
  } else {
    for (const auto& r : team->reps()) {
      const RepPolicy* p = policy.FindRep(r.rep_id());
      if (p != nullptr && p->zone != nullptr) {
        c.hours = &r.hours();
        c.zone = p->zone.get();
        c.holidays = p->holidays;
        break;
      }
    }
  }
  return c;
}

system_clock::time_point AddSlaSeconds(const RoutingPolicy& policy, const SlaCalendar& calendar,
                                       system_clock::time_point start, int64_t secs) {
  const double scale = policy.sla_time_scale() > 0 ? policy.sla_time_scale() : 1;
  if (scale != 1) {
    // A scaled clock counts in milliseconds so short shares stay exact.
    const auto ms = std::chrono::milliseconds(static_cast<int64_t>(secs * 1000 / scale));
    const auto whole = AddBusinessSeconds(calendar, start, ms.count() / 1000);
    return whole + std::chrono::milliseconds(ms.count() % 1000);
  }
  return AddBusinessSeconds(calendar, start, secs);
}

int64_t SlaDueMillis(const RoutingPolicy& policy, const std::string& team_id,
                     const std::string& rep_id, system_clock::time_point now,
                     const OutOfOffice* away) {
  const auto* team = policy.FindTeam(team_id);
  if (team == nullptr) return 0;
  const auto due = AddSlaSeconds(policy, SlaCalendarOf(policy, team_id, rep_id, away), now,
                                 int64_t{team->sla_business_minutes()} * 60);
  return std::chrono::duration_cast<std::chrono::milliseconds>(due.time_since_epoch()).count();
}

std::string RepLocalDay(const RoutingPolicy& policy, const std::string& rep_id,
                        system_clock::time_point now) {
  int year, month, day;
  if (const RepPolicy* rp = policy.FindRep(rep_id); rp != nullptr && rp->zone != nullptr) {
    const LocalTime l = rp->zone->ToLocal(now);
    year = l.year;
    month = l.month;
    day = l.day;
  } else {
    const std::chrono::year_month_day ymd(std::chrono::floor<std::chrono::days>(now));
    year = static_cast<int>(ymd.year());
    month = static_cast<int>(static_cast<unsigned>(ymd.month()));
    day = static_cast<int>(static_cast<unsigned>(ymd.day()));
  }
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02d", year, month, day);
  return buf;
}

}  // namespace leadflow::routing
