// Latency percentiles and throughput from recorded samples. Pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace leadflow::bench {

struct LatencySummary {
  size_t count = 0;
  double p50_ms = 0, p95_ms = 0, p99_ms = 0, max_ms = 0, mean_ms = 0;
};

// Nearest-rank percentile (p in [0, 100]) of `sorted` (ascending); 0 for an
// empty vector.
int64_t NearestRank(const std::vector<int64_t>& sorted, double p);

// Summarises latencies given in nanoseconds (the vector is sorted in place).
LatencySummary Summarize(std::vector<int64_t>& latencies_ns);

// Leads per second for `count` leads over [first_ns, last_ns]; 0 when the
// span is empty.
double Throughput(size_t count, int64_t first_ns, int64_t last_ns);

}  // namespace leadflow::bench
