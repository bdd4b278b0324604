// Whether a rep is at work at an instant, in the rep's own IANA time zone.
#pragma once

#include <chrono>
#include <string>

#include "leadflow/config/v1/routing_rules.pb.h"
#include "routing/domain/time_zone.h"

namespace leadflow::routing {

// True when `now`, read in `zone`, falls on one of hours.weekdays (empty = every
// day) and within [start_hour, end_hour). start_hour > end_hour is an
// overnight shift (e.g. 22..6), judged by the weekday of the local instant.
// `detail` (optional) receives e.g. "Europe/Moscow Sat 10:15".
bool WithinWorkingHours(const leadflow::config::v1::WorkingHours& hours, const TimeZone& zone,
                        std::chrono::system_clock::time_point now, std::string* detail = nullptr);

}  // namespace leadflow::routing
