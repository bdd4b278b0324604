// Redis command counts and times from `INFO commandstats`, to show how many
// Redis commands each lead costs and where redis-server's time goes. Pure parsing.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace leadflow::bench {

struct CommandStat {
  int64_t calls = 0;
  int64_t usec = 0;  // time spent executing the command; a script's includes its inner calls
};
using CommandStats = std::map<std::string, CommandStat>;

// command name -> calls and usec, from lines like
// "cmdstat_set:calls=12,usec=34,usec_per_call=2.83,rejected_calls=0,failed_calls=0".
CommandStats ParseCommandStats(const std::string& info_text);

// after - before, per lead, for commands that were called in between.
std::map<std::string, double> CallsPerLead(const CommandStats& before, const CommandStats& after,
                                           size_t leads);
// after - before of the execution time in microseconds, per lead, likewise.
std::map<std::string, double> UsecPerLead(const CommandStats& before, const CommandStats& after,
                                          size_t leads);

}  // namespace leadflow::bench
