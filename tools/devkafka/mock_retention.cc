#include "tools/devkafka/mock_retention.h"

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>

// The allocator this file's interposers hand on to. Under ASan or TSan the
// sanitizer's allocator owns the heap, so calls go to its interceptors, not
// to glibc's functions.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
extern "C" void* __interceptor_calloc(std::size_t count, std::size_t size);
extern "C" void* __interceptor_realloc(void* p, std::size_t size);
extern "C" void __interceptor_free(void* p);
#define LEADFLOW_NEXT(fn) __interceptor_##fn
#else
extern "C" void* __libc_calloc(std::size_t count, std::size_t size);
extern "C" void* __libc_realloc(void* p, std::size_t size);
extern "C" void __libc_free(void* p);
#define LEADFLOW_NEXT(fn) __libc_##fn
#endif
// The interposers run before the sanitizers are initialised (their own start-up
// frees memory), so they are not instrumented.
#define LEADFLOW_UNINSTRUMENTED __attribute__((no_sanitize("address", "thread", "undefined")))

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
// Read by the allocator interposers, which may run before the sanitizers'
// shadow memory exists: plain integers, accessed only through the __atomic
// builtins (an std::atomic's member functions are instrumented calls at -O0).
std::size_t g_pending = 0;
int g_capture_count = 0;        // partitions of the topic being created
std::size_t g_element_size = 0;  // learned from the first topic
std::atomic<std::size_t> g_limits_offset{0};

std::mutex g_patch_mu;  // PatchTaken() and the counters below
int g_topics = 0;
int g_partitions = 0;
int g_window_partitions = 0;  // the topic being created, for EndTopicCreate()
int g_window_hits = 0;
std::vector<PartitionArray> g_arrays;

void Remember(void* p, std::size_t count, std::size_t size) {
  while (g_spin.test_and_set(std::memory_order_acquire)) {
  }
  if (g_ring_used < g_ring.size()) {
    g_ring[g_ring_used++] = {static_cast<unsigned char*>(p), count, size};
    __atomic_store_n(&g_pending, g_ring_used, __ATOMIC_RELEASE);
  }
  g_spin.clear(std::memory_order_release);
}

// Drops a remembered array that is being freed or moved: the mock frees
// some of the arrays it callocs while it creates a topic, before
// EndTopicCreate() looks at them (ASan found the read after free).
void Forget(const void* p) {
  while (g_spin.test_and_set(std::memory_order_acquire)) {
  }
  for (std::size_t i = 0; i < g_ring_used; ++i) {
    if (g_ring[i].data == p) {
      g_ring[i] = g_ring[--g_ring_used];
      __atomic_store_n(&g_pending, g_ring_used, __ATOMIC_RELEASE);
      break;
    }
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
  __atomic_store_n(&g_pending, 0, __ATOMIC_RELEASE);
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
    __atomic_store_n(&g_element_size, c.size, __ATOMIC_RELEASE);
    g_limits_offset.store(off);
    g_arrays.push_back({c.data, c.count, c.size, off});
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
  __atomic_store_n(&g_capture_count, partitions, __ATOMIC_RELEASE);
}

bool EndTopicCreate(int partitions) {
  __atomic_store_n(&g_capture_count, 0, __ATOMIC_RELEASE);
  std::lock_guard<std::mutex> lock(g_patch_mu);
  PatchTakenLocked();
  const bool found = g_window_partitions == partitions && g_window_hits > 0;
  g_window_partitions = 0;
  g_window_hits = 0;
  return found;
}

void PatchPending() {
  if (__atomic_load_n(&g_pending, __ATOMIC_ACQUIRE) == 0) return;
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

std::vector<PartitionArray> PatchedArrays() {
  std::lock_guard<std::mutex> lock(g_patch_mu);
  return g_arrays;
}

}  // namespace leadflow::devkafka::retention

namespace rt = leadflow::devkafka::retention;

extern "C" LEADFLOW_UNINSTRUMENTED void* calloc(std::size_t count, std::size_t size) {
  void* p = LEADFLOW_NEXT(calloc)(count, size);
  if (p == nullptr || count == 0) return p;
  const std::size_t learned = __atomic_load_n(&rt::g_element_size, __ATOMIC_RELAXED);
  const int capturing = __atomic_load_n(&rt::g_capture_count, __ATOMIC_RELAXED);
  if ((learned != 0 && size == learned) ||
      (capturing > 0 && count == static_cast<std::size_t>(capturing) && size >= rt::kMinElement &&
       size <= rt::kMaxElement)) {
    rt::Remember(p, count, size);
  }
  return p;
}

// free() and realloc() forget a remembered array before it goes back to the
// allocator; one atomic load when nothing is remembered.
extern "C" LEADFLOW_UNINSTRUMENTED void free(void* p) {
  if (p != nullptr && __atomic_load_n(&rt::g_pending, __ATOMIC_ACQUIRE) != 0) rt::Forget(p);
  LEADFLOW_NEXT(free)(p);
}

extern "C" LEADFLOW_UNINSTRUMENTED void* realloc(void* p, std::size_t size) {
  if (p != nullptr && __atomic_load_n(&rt::g_pending, __ATOMIC_ACQUIRE) != 0) rt::Forget(p);
  return LEADFLOW_NEXT(realloc)(p, size);
}
