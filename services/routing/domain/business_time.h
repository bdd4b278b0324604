// Business-time arithmetic for SLAs (docs/domain-rules.md §5: a queued or assigned lead
// has an SLA, counted in business minutes) and rep-local calendar days for
// daily caps. Pure and thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "leadflow/config/v1/routing_rules.pb.h"
#include "routing/domain/holiday_calendar.h"
#include "routing/domain/out_of_office.h"
#include "routing/domain/routing_policy.h"
#include "routing/domain/time_zone.h"

namespace leadflow::routing {

// The instant at which `minutes` business minutes have elapsed after `start`,
// counting only time inside `hours` read in `zone` (weekdays and
// [start_hour, end_hour), overnight shifts included). Started outside working
// hours, the clock starts at the next opening.
std::chrono::system_clock::time_point AddBusinessMinutes(
    const leadflow::config::v1::WorkingHours& hours, const TimeZone& zone,
    std::chrono::system_clock::time_point start, int minutes);
// The same in business seconds (the SLA ladder's shares and a scaled SLA
// clock, docs/domain-rules.md §5).
std::chrono::system_clock::time_point AddBusinessSeconds(
    const leadflow::config::v1::WorkingHours& hours, const TimeZone& zone,
    std::chrono::system_clock::time_point start, int64_t seconds);

// The calendar an SLA of `team_id` held by `rep_id` (empty for a queued lead)
// counts in: the rep's hours, else the team's business_hours, else the first
// rep with hours, each with its holiday calendar (holidays: the rep's, else
// the team's, else the default; null for none). hours and zone are both null
// when none is known (plain time). `away`: the rep's out-of-office windows,
// during which the clock pauses too (null: none). Pointers into `policy` and
// the caller's windows, which must outlive the calendar.
struct SlaCalendar {
  const leadflow::config::v1::WorkingHours* hours = nullptr;
  const TimeZone* zone = nullptr;
  const HolidayCalendar* holidays = nullptr;
  const OutOfOffice* away = nullptr;
};
SlaCalendar SlaCalendarOf(const RoutingPolicy& policy, const std::string& team_id,
                          const std::string& rep_id, const OutOfOffice* away = nullptr);
// `seconds` business seconds after `start` in `calendar`: only inside its
// hours (when it has any), never on a day off of its holidays, never inside
// an away window.
std::chrono::system_clock::time_point AddBusinessSeconds(
    const SlaCalendar& calendar, std::chrono::system_clock::time_point start, int64_t seconds);
// `seconds` business seconds after `start` in `calendar` (plain seconds
// without one), divided by policy.sla_time_scale() (demos and e2e tests).
std::chrono::system_clock::time_point AddSlaSeconds(const RoutingPolicy& policy,
                                                    const SlaCalendar& calendar,
                                                    std::chrono::system_clock::time_point start,
                                                    int64_t seconds);

// SLA due time (unix ms) for a lead of `team_id` assigned to `rep_id` (empty
// for a queued lead) decided at `now`: team.sla_business_minutes counted in
// SlaCalendarOf (hours, holidays, and the rep's `away` windows when given);
// plain minutes when no hours are known; divided by policy.sla_time_scale().
// 0 for an unknown team.
int64_t SlaDueMillis(const RoutingPolicy& policy, const std::string& team_id,
                     const std::string& rep_id, std::chrono::system_clock::time_point now,
                     const OutOfOffice* away = nullptr);

// The rep's local calendar day ("yyyy-mm-dd" in the rep's time zone; UTC for
// reps without hours or unknown reps): the daily cap resets at the rep's midnight.
std::string RepLocalDay(const RoutingPolicy& policy, const std::string& rep_id,
                        std::chrono::system_clock::time_point now);

}  // namespace leadflow::routing
