#include "redis_stats.h"

#include <sstream>

namespace leadflow::bench {

std::map<std::string, int64_t> ParseCommandStats(const std::string& info_text) {
  std::map<std::string, int64_t> out;
  std::istringstream in(info_text);
  std::string line;
  constexpr std::string_view kPrefix = "cmdstat_";
  while (std::getline(in, line)) {
    if (line.compare(0, kPrefix.size(), kPrefix) != 0) continue;
    const auto colon = line.find(':');
    const auto calls = line.find("calls=", colon);
    if (colon == std::string::npos || calls == std::string::npos) continue;
    try {
      out[line.substr(kPrefix.size(), colon - kPrefix.size())] = std::stoll(line.substr(calls + 6));
    } catch (...) {
    }
  }
  return out;
}

std::map<std::string, double> CallsPerLead(const std::map<std::string, int64_t>& before,
                                           const std::map<std::string, int64_t>& after,
                                           size_t leads) {
  std::map<std::string, double> out;
  if (leads == 0) return out;
  for (const auto& [cmd, n] : after) {
    auto it = before.find(cmd);
    const int64_t delta = n - (it == before.end() ? 0 : it->second);
    if (delta > 0) out[cmd] = static_cast<double>(delta) / static_cast<double>(leads);
  }
  return out;
}

}  // namespace leadflow::bench
