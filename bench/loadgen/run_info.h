// What a report says about when and where it ran.
#pragma once

#include <string>

namespace leadflow::bench {

// One line: CPU model, CPUs, RAM, kernel and load average now.
std::string MachineLine();

// Now as ISO 8601 UTC, to the second.
std::string UtcNow();

}  // namespace leadflow::bench
