#include "latency_stats.h"

#include <algorithm>
#include <cmath>

namespace leadflow::bench {

int64_t NearestRank(const std::vector<int64_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  p = std::clamp(p, 0.0, 100.0);
  auto rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  if (rank == 0) rank = 1;
  return sorted[rank - 1];
}

LatencySummary Summarize(std::vector<int64_t>& latencies_ns) {
  LatencySummary s;
  s.count = latencies_ns.size();
  if (latencies_ns.empty()) return s;
  std::sort(latencies_ns.begin(), latencies_ns.end());
  auto ms = [](int64_t ns) { return static_cast<double>(ns) / 1e6; };
  s.p50_ms = ms(NearestRank(latencies_ns, 50));
  s.p95_ms = ms(NearestRank(latencies_ns, 95));
  s.p99_ms = ms(NearestRank(latencies_ns, 99));
  s.max_ms = ms(latencies_ns.back());
  long double sum = 0;
  for (int64_t v : latencies_ns) sum += v;
  s.mean_ms = static_cast<double>(sum / latencies_ns.size()) / 1e6;
  return s;
}

double Throughput(size_t count, int64_t first_ns, int64_t last_ns) {
  if (count == 0 || last_ns <= first_ns) return 0;
  return static_cast<double>(count) * 1e9 / static_cast<double>(last_ns - first_ns);
}

}  // namespace leadflow::bench
