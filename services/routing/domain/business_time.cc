#include "routing/domain/business_time.h"

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

system_clock::time_point AddBusinessSeconds(const leadflow::config::v1::WorkingHours& hours,
                                            const TimeZone& zone, system_clock::time_point start,
                                            int64_t seconds_to_add) {
  int64_t remaining = seconds_to_add;
  system_clock::time_point t = std::chrono::floor<seconds>(start);
  // Hour-granular walk; a year of hours bounds any valid calendar.
  for (int steps = 0; remaining > 0 && steps < 24 * 400; ++steps) {
    const int64_t to_hour = SecondsToNextLocalHour(zone, t);
    if (WithinWorkingHours(hours, zone, t)) {
      const int64_t take = std::min(remaining, to_hour);
      t += seconds(take);
      remaining -= take;
    } else {
      t += seconds(to_hour);
    }
  }
  return t + (start - std::chrono::floor<seconds>(start));
}

system_clock::time_point AddBusinessMinutes(const leadflow::config::v1::WorkingHours& hours,
                                            const TimeZone& zone, system_clock::time_point start,
                                            int minutes) {
  return AddBusinessSeconds(hours, zone, start, int64_t{minutes} * 60);
}

SlaCalendar SlaCalendarOf(const RoutingPolicy& policy, const std::string& team_id,
                          const std::string& rep_id) {
  SlaCalendar c;
  const auto* team = policy.FindTeam(team_id);
  if (team == nullptr) return c;
  if (const RepPolicy* rp = policy.FindRep(rep_id); rp != nullptr && rp->zone != nullptr) {
    c.hours = &rp->rep->hours();
    c.zone = rp->zone.get();
  } else if (const auto* tz = policy.TeamZone(team_id); tz != nullptr) {
    c.hours = &team->business_hours();
    c.zone = tz;
  } else {
    for (const auto& r : team->reps()) {
      const RepPolicy* p = policy.FindRep(r.rep_id());
      if (p != nullptr && p->zone != nullptr) {
        c.hours = &r.hours();
        c.zone = p->zone.get();
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
    if (calendar.hours == nullptr) return start + ms;
    const auto whole =
        AddBusinessSeconds(*calendar.hours, *calendar.zone, start, ms.count() / 1000);
    return whole + std::chrono::milliseconds(ms.count() % 1000);
  }
  if (calendar.hours == nullptr) return start + seconds(secs);
  return AddBusinessSeconds(*calendar.hours, *calendar.zone, start, secs);
}

int64_t SlaDueMillis(const RoutingPolicy& policy, const std::string& team_id,
                     const std::string& rep_id, system_clock::time_point now) {
  const auto* team = policy.FindTeam(team_id);
  if (team == nullptr) return 0;
  const auto due = AddSlaSeconds(policy, SlaCalendarOf(policy, team_id, rep_id), now,
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
