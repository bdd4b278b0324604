// Resolves IANA zone names by reading TZif files from the system zoneinfo
// directory ($TZDIR, else /usr/share/zoneinfo). Used once at config load;
// the resulting TimeZone values are immutable and shared.
#pragma once

#include <string>

#include "routing/domain/time_zone.h"

namespace leadflow::routing {

// `dir` empty: $TZDIR or /usr/share/zoneinfo. Names must look like IANA names
// (letters, digits, '/', '_', '-', '+'; no "..").
ZoneResolver SystemZoneResolver(std::string dir = "");

}  // namespace leadflow::routing
