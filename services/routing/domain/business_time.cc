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

system_clock::time_point AddBusinessMinutes(const leadflow::config::v1::WorkingHours& hours,
                                            const TimeZone& zone, system_clock::time_point start,
                                            int minutes) {
  int64_t remaining = int64_t{minutes} * 60;
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

int64_t SlaDueMillis(const RoutingPolicy& policy, const std::string& team_id,
                     const std::string& rep_id, system_clock::time_point now) {
  const auto* team = policy.FindTeam(team_id);
  if (team == nullptr) return 0;
  const leadflow::config::v1::WorkingHours* hours = nullptr;
  const TimeZone* zone = nullptr;
  if (const RepPolicy* rp = policy.FindRep(rep_id); rp != nullptr && rp->zone != nullptr) {
    hours = &rp->rep->hours();
    zone = rp->zone.get();
  } else if (const auto* tz = policy.TeamZone(team_id); tz != nullptr) {
    hours = &team->business_hours();
    zone = tz;
  } else {
    for (const auto& r : team->reps()) {
      const RepPolicy* p = policy.FindRep(r.rep_id());
      if (p != nullptr && p->zone != nullptr) {
        hours = &r.hours();
        zone = p->zone.get();
        break;
      }
    }
  }
  system_clock::time_point due;
  if (hours != nullptr) {
    due = AddBusinessMinutes(*hours, *zone, now, team->sla_business_minutes());
  } else {
    due = now + std::chrono::minutes(team->sla_business_minutes());
  }
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
