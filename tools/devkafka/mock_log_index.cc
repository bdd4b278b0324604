#include "tools/devkafka/mock_log_index.h"

#include <librdkafka/rdkafka.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <unordered_map>
#include <vector>

#include "tools/devkafka/mock_log_segments.h"
#include "tools/devkafka/mock_retention.h"

namespace leadflow::devkafka::log_index {
namespace {

// The librdkafka whose structures mock_log_segments.h describes.
constexpr int kKnownVersion = 0x020002ff;
constexpr int64_t kPassIntervalNs = 5'000'000;

std::atomic<bool> g_enabled{false};
std::atomic<int64_t> g_segments{0};
std::atomic<int64_t> g_batches_merged{0};
std::atomic<int64_t> g_segments_merged{0};
std::atomic<int64_t> g_longest_log{0};

// Mock thread only.
int64_t g_last_pass_ns = 0;
std::vector<retention::PartitionArray> g_arrays;
int g_known_partitions = -1;
std::unordered_map<const void*, std::size_t> g_recheck_at;  // by partition log

int64_t NowNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

segments::MockPartitionLog* LogOf(const retention::PartitionArray& array, std::size_t i) {
  unsigned char* partition = array.data + i * array.size;
  return reinterpret_cast<segments::MockPartitionLog*>(partition + array.limits_offset -
                                                       segments::kMaxSizeOffsetInLog);
}

// Returns false (and turns segmenting off) if the log looked wrong.
bool Visit(segments::MockPartitionLog* log) {
  std::size_t& recheck = g_recheck_at[log];
  if (log->cnt < recheck) return true;
  const segments::MergeResult result = segments::MergeOldBatches(log);
  if (!result.layout_ok) {
    g_enabled = false;
    std::fprintf(stderr,
                 "devkafka: log segments off: a mock partition log does not look like "
                 "librdkafka 2.0.2's (%s); fetches walk the whole log from now on\n",
                 result.problem.c_str());
    return false;
  }
  g_segments += static_cast<int64_t>(result.segments_made);
  g_batches_merged += static_cast<int64_t>(result.batches_merged);
  g_segments_merged += static_cast<int64_t>(result.segments_merged);
  recheck = log->cnt + segments::kPassAfterBatches;
  return true;
}

}  // namespace

bool Enable() {
  g_enabled = rd_kafka_version() == kKnownVersion;
  return g_enabled;
}

void Disable() { g_enabled = false; }

void OnMockThread() {
  if (!g_enabled.load(std::memory_order_relaxed)) return;
  const int64_t now = NowNs();
  if (now - g_last_pass_ns < kPassIntervalNs) return;
  g_last_pass_ns = now;
  const int partitions = retention::PatchedPartitions();
  if (partitions != g_known_partitions) {
    g_arrays = retention::PatchedArrays();
    g_known_partitions = partitions;
  }
  std::size_t longest = 0;
  for (const retention::PartitionArray& array : g_arrays) {
    for (std::size_t i = 0; i < array.count; ++i) {
      segments::MockPartitionLog* log = LogOf(array, i);
      if (!Visit(log)) return;
      longest = std::max(longest, log->cnt);
    }
  }
  g_longest_log = static_cast<int64_t>(longest);
}

Stats GetStats() {
  return {g_enabled.load(), g_segments.load(), g_batches_merged.load(), g_segments_merged.load(),
          g_longest_log.load()};
}

}  // namespace leadflow::devkafka::log_index
