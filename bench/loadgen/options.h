// leadflow-bench's command line: the options, their defaults and --help.
// Compiled into leadflow-bench only (the defaults name build directories).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "rate_search.h"

namespace leadflow::bench {

struct Options {
  std::string brokers;  // external mode when set
  std::map<std::string, pid_t> pids;
  size_t count = 20000;
  double rate = 2000;
  double rate_seconds = 15;
  double low_rate = 0;  // > 0: also a pipeline phase at this rate (below saturation)
  double max_phase_seconds = 90;
  double drain_seconds = 20;
  size_t warmup = 1000;
  int repeat = 1;  // flat-out runs per path
  uint64_t seed = 42;
  bool hop_timings = true;  // also watch leads.accepted / leads.scored
  std::string tag;
  std::string out_dir = "bench-out";
  // librdkafka properties "k=v;k=v" for the services (LEADFLOW_KAFKA_PROPERTIES)
  // and the passthrough hops alike, e.g. "linger.ms=0;fetch.wait.max.ms=1".
  std::string kafka_properties;
  std::string source_dir = LEADFLOW_SOURCE_DIR_DEFAULT;
  std::string bench_bin_dir = LEADFLOW_BENCH_BIN_DIR;
  std::set<std::string> phases = {"passthrough-flat-out", "pipeline-flat-out", "passthrough-rate",
                                  "pipeline-rate", "rate-search"};
  SearchSettings search;                  // the rate-search phase (rate_search.h)
  double redis_us_per_lead_baseline = 0;  // > 0: judge Redis CPU per lead against half of it
};

extern const char kUsage[];

// Fills `o` from the command line (--help is handled by the caller); false
// with `err` set on a bad argument.
bool ParseArgs(int argc, char** argv, Options& o, std::string& err);

}  // namespace leadflow::bench
