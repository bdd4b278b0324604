#include "tools/devkafka/mock_retention.h"

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>

extern "C" void* __libc_calloc(std::size_t count, std::size_t size);

namespace leadflow::devkafka::retention {
namespace {

constexpr std::size_t kUnlimited = SIZE_MAX / 2;
// Plausible bounds for sizeof(rd_kafka_mock_partition_t) (208 bytes in
// 2.0.2) and for a topic's partition array.
constexpr std::size_t kMinElement = 32;
constexpr std::size_t kMaxElement = 4096;
constexpr std::size_t kMaxArrayBytes = 1 << 20;

struct Candidate {
  unsigned char* data = nullptr;
  std::size_t count = 0;
  std::size_t size = 0;
};

// calloc() may run on any thread, also before main() and while a thread's
// TLS is set up: only constant-initialised atomics and a spin lock here.
std::atomic_flag g_spin = ATOMIC_FLAG_INIT;
std::array<Candidate, 256> g_ring{};
std::size_t g_ring_used = 0;  // guarded by g_spin
std::atomic<std::size_t> g_pending{0};
std::atomic<int> g_capture_count{0};        // partitions of the topic being created
std::atomic<std::size_t> g_element_size{0};  // learned from the first topic
std::atomic<std::size_t> g_limits_offset{0};

std::mutex g_patch_mu;  // PatchTaken() and the counters below
int g_topics = 0;
int g_partitions = 0;
int g_window_partitions = 0;  // the topic being created, for EndTopicCreate()
int g_window_hits = 0;

void Remember(void* p, std::size_t count, std::size_t size) {
  while (g_spin.test_and_set(std::memory_order_acquire)) {
  }
  if (g_ring_used < g_ring.size()) {
    g_ring[g_ring_used++] = {static_cast<unsigned char*>(p), count, size};
    g_pending.store(g_ring_used, std::memory_order_release);
  }
  g_spin.clear(std::memory_order_release);
}

std::size_t Load(const unsigned char* p) {
  std::size_t v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}

// The offset of the (max_size, max_cnt) pair, the same in every element, or
// SIZE_MAX.
std::size_t FindLimits(const Candidate& c) {
  const std::size_t learned = g_limits_offset.load();
  for (std::size_t off = 0; off + 2 * sizeof(std::size_t) <= c.size; off += sizeof(std::size_t)) {
    if (learned != 0 && off != learned) continue;
    bool all = true;
    for (std::size_t i = 0; i < c.count && all; ++i) {
      const unsigned char* e = c.data + i * c.size + off;
      all = Load(e) == kMockMaxBytes && Load(e + sizeof(std::size_t)) == kMockMaxBatches;
    }
    if (all) return off;
  }
  return SIZE_MAX;
}

// Takes the remembered arrays and lifts the limits in those that are mock
// partitions. g_patch_mu must be held.
void PatchTakenLocked() {
  std::array<Candidate, 256> taken;
  std::size_t n = 0;
  while (g_spin.test_and_set(std::memory_order_acquire)) {
  }
  for (std::size_t i = 0; i < g_ring_used; ++i) taken[n++] = g_ring[i];
  g_ring_used = 0;
  g_pending.store(0);
  g_spin.clear(std::memory_order_release);
  for (std::size_t i = 0; i < n; ++i) {
    const Candidate& c = taken[i];
    if (c.size < kMinElement || c.size > kMaxElement || c.count * c.size > kMaxArrayBytes) continue;
    const std::size_t off = FindLimits(c);
    if (off == SIZE_MAX) continue;
    for (std::size_t e = 0; e < c.count; ++e) {
      unsigned char* limits = c.data + e * c.size + off;
      // The mock thread reads them when it appends; aligned 8-byte stores.
      __atomic_store_n(reinterpret_cast<std::size_t*>(limits), kUnlimited, __ATOMIC_RELEASE);
      __atomic_store_n(reinterpret_cast<std::size_t*>(limits + sizeof(std::size_t)), kUnlimited,
                       __ATOMIC_RELEASE);
    }
    g_element_size.store(c.size);
    g_limits_offset.store(off);
    ++g_topics;
    g_partitions += static_cast<int>(c.count);
    if (static_cast<int>(c.count) == g_window_partitions) ++g_window_hits;
  }
}

}  // namespace

void BeginTopicCreate(int partitions) {
  {
    std::lock_guard<std::mutex> lock(g_patch_mu);
    g_window_partitions = partitions;
    g_window_hits = 0;
  }
  g_capture_count.store(partitions);
}

bool EndTopicCreate(int partitions) {
  g_capture_count.store(0);
  std::lock_guard<std::mutex> lock(g_patch_mu);
  PatchTakenLocked();
  const bool found = g_window_partitions == partitions && g_window_hits > 0;
  g_window_partitions = 0;
  g_window_hits = 0;
  return found;
}

void PatchPending() {
  if (g_pending.load(std::memory_order_acquire) == 0) return;
  std::lock_guard<std::mutex> lock(g_patch_mu);
  PatchTakenLocked();
}

int PatchedTopics() {
  std::lock_guard<std::mutex> lock(g_patch_mu);
  return g_topics;
}

int PatchedPartitions() {
  std::lock_guard<std::mutex> lock(g_patch_mu);
  return g_partitions;
}

}  // namespace leadflow::devkafka::retention

namespace rt = leadflow::devkafka::retention;

extern "C" void* calloc(std::size_t count, std::size_t size) {
  void* p = __libc_calloc(count, size);
  if (p == nullptr || count == 0) return p;
  const std::size_t learned = rt::g_element_size.load(std::memory_order_relaxed);
  const int capturing = rt::g_capture_count.load(std::memory_order_relaxed);
  if ((learned != 0 && size == learned) ||
      (capturing > 0 && count == static_cast<std::size_t>(capturing) && size >= rt::kMinElement &&
       size <= rt::kMaxElement)) {
    rt::Remember(p, count, size);
  }
  return p;
}
