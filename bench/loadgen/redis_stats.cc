#include "redis_stats.h"

#include <sstream>

namespace leadflow::bench {

namespace {

int64_t Field(const std::string& line, size_t from, std::string_view name) {
  const auto at = line.find(name, from);
  if (at == std::string::npos) return 0;
  try {
    return std::stoll(line.substr(at + name.size()));
  } catch (...) {
    return 0;
  }
}

template <typename Member>
std::map<std::string, double> DeltaPerLead(const CommandStats& before, const CommandStats& after,
                                           size_t leads, Member member) {
  std::map<std::string, double> out;
  if (leads == 0) return out;
  for (const auto& [cmd, stat] : after) {
    auto it = before.find(cmd);
    const int64_t delta = stat.*member - (it == before.end() ? 0 : it->second.*member);
    if (delta > 0) out[cmd] = static_cast<double>(delta) / static_cast<double>(leads);
  }
  return out;
}

}  // namespace

CommandStats ParseCommandStats(const std::string& info_text) {
  CommandStats out;
  std::istringstream in(info_text);
  std::string line;
  constexpr std::string_view kPrefix = "cmdstat_";
  while (std::getline(in, line)) {
    if (line.compare(0, kPrefix.size(), kPrefix) != 0) continue;
    const auto colon = line.find(':');
    if (colon == std::string::npos || line.find("calls=", colon) == std::string::npos) continue;
    out[line.substr(kPrefix.size(), colon - kPrefix.size())] =
        CommandStat{Field(line, colon, "calls="), Field(line, colon, "usec=")};
  }
  return out;
}

std::map<std::string, double> CallsPerLead(const CommandStats& before, const CommandStats& after,
                                           size_t leads) {
  return DeltaPerLead(before, after, leads, &CommandStat::calls);
}

std::map<std::string, double> UsecPerLead(const CommandStats& before, const CommandStats& after,
                                          size_t leads) {
  return DeltaPerLead(before, after, leads, &CommandStat::usec);
}

}  // namespace leadflow::bench
