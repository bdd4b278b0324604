#include "proc_stats.h"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <vector>

namespace leadflow::bench {
namespace {

std::optional<std::string> Slurp(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

std::optional<int64_t> ParseStatCpuTicks(const std::string& stat_text) {
  const auto close = stat_text.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream in(stat_text.substr(close + 1));
  // After "(comm)": state(3) ppid pgrp session tty_nr tpgid flags minflt cminflt
  // majflt cmajflt utime(14) stime(15).
  std::vector<std::string> f;
  std::string tok;
  while (f.size() < 13 && in >> tok) f.push_back(tok);
  if (f.size() < 13) return std::nullopt;
  try {
    return std::stoll(f[11]) + std::stoll(f[12]);
  } catch (...) {
    return std::nullopt;
  }
}

std::optional<int64_t> ParseStatusKb(const std::string& status_text, const std::string& name) {
  std::istringstream in(status_text);
  std::string line;
  const std::string prefix = name + ":";
  while (std::getline(in, line)) {
    if (line.compare(0, prefix.size(), prefix) != 0) continue;
    try {
      return std::stoll(line.substr(prefix.size()));
    } catch (...) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

std::optional<ProcSample> ReadProcSample(pid_t pid) {
  const std::string base = "/proc/" + std::to_string(pid);
  auto stat = Slurp(base + "/stat");
  auto status = Slurp(base + "/status");
  if (!stat || !status) return std::nullopt;
  auto ticks = ParseStatCpuTicks(*stat);
  if (!ticks) return std::nullopt;
  ProcSample s;
  s.cpu_ticks = *ticks;
  s.rss_kb = ParseStatusKb(*status, "VmRSS").value_or(0);
  s.hwm_kb = ParseStatusKb(*status, "VmHWM").value_or(0);
  return s;
}

int64_t ClockTicksPerSecond() { return sysconf(_SC_CLK_TCK); }

}  // namespace leadflow::bench
