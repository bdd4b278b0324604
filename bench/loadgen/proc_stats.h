// Per-process CPU time and resident memory from /proc (Linux). The parsers are
// pure and unit-tested; ReadProcSample does the I/O.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

namespace leadflow::bench {

struct ProcSample {
  int64_t cpu_ticks = 0;  // utime + stime, in clock ticks (sysconf(_SC_CLK_TCK))
  int64_t rss_kb = 0;     // VmRSS
  int64_t hwm_kb = 0;     // VmHWM: peak RSS since the process started
};

// utime + stime from the text of /proc/<pid>/stat (the command name in
// parentheses may contain spaces and parentheses). nullopt if malformed.
std::optional<int64_t> ParseStatCpuTicks(const std::string& stat_text);

// The value in kB of a "Name:   123 kB" line of /proc/<pid>/status; nullopt if
// the line is absent.
std::optional<int64_t> ParseStatusKb(const std::string& status_text, const std::string& name);

// Reads /proc/<pid>/stat and /proc/<pid>/status; nullopt if the process is gone.
std::optional<ProcSample> ReadProcSample(pid_t pid);

// Clock ticks per second.
int64_t ClockTicksPerSecond();

}  // namespace leadflow::bench
