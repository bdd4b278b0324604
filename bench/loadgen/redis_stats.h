// Redis command counts from `INFO commandstats`, to show how many Redis round
// trips each lead costs. Pure parsing.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace leadflow::bench {

// command name -> calls, from lines like
// "cmdstat_set:calls=12,usec=34,usec_per_call=2.83,rejected_calls=0,failed_calls=0".
std::map<std::string, int64_t> ParseCommandStats(const std::string& info_text);

// after - before, per lead, for commands that were called in between.
std::map<std::string, double> CallsPerLead(const std::map<std::string, int64_t>& before,
                                           const std::map<std::string, int64_t>& after,
                                           size_t leads);

}  // namespace leadflow::bench
