// Turns off the retention of librdkafka's mock cluster, so devkafka never
// drops a record that nobody has read.
//
// librdkafka 2.0.2's mock keeps at most 5 MiB or 100,000 record batches per
// partition (rd_kafka_mock_partition_t's max_size and max_cnt, set when a
// topic is created, with no API to change them) and silently drops the
// oldest batches beyond that. Those two fields sit side by side in every
// partition struct, and the partitions of a topic are one array that the
// mock allocates with calloc(partition_count, sizeof(partition)) when it
// creates the topic. devkafka interposes calloc() (librdkafka.so calls it
// through its PLT), remembers the arrays allocated while it creates a topic,
// finds the one whose every element holds the pair (5 MiB, 100,000) at the
// same offset, and raises both limits to SIZE_MAX / 2: every record then
// stays in memory until devkafka exits. Once the partition size is known,
// arrays of that size allocated later (topics the mock auto-creates) are
// found the same way, on the mock thread, before it serves the next request.
//
// free() and realloc() are interposed as well, so an array the mock frees
// before the topic is complete is forgotten, never read.
//
// If the pair cannot be found (another librdkafka build), CreateTopic fails
// and devkafka refuses to start rather than drop records silently.
#ifndef LEADFLOW_TOOLS_DEVKAFKA_MOCK_RETENTION_H_
#define LEADFLOW_TOOLS_DEVKAFKA_MOCK_RETENTION_H_

#include <cstddef>
#include <vector>

namespace leadflow::devkafka::retention {

/// The mock's per-partition limits this code looks for.
inline constexpr std::size_t kMockMaxBytes = 5 * 1024 * 1024;
inline constexpr std::size_t kMockMaxBatches = 100000;

/// Remembers calloc()s of `partitions` elements until EndTopicCreate().
/// Calls must not overlap (MockCluster serialises topic creation).
void BeginTopicCreate(int partitions);
/// Turns retention off in the partition array of the topic just created.
/// Returns false if no array of `partitions` partitions was found.
bool EndTopicCreate(int partitions);
/// Turns retention off in arrays allocated since the last call (auto-created
/// topics). Cheap when there are none. Thread-safe.
void PatchPending();
/// Partition arrays patched so far, and their partitions.
int PatchedTopics();
int PatchedPartitions();

/// One patched partition array: `count` rd_kafka_mock_partition_t of `size`
/// bytes each from `data`; `limits_offset` is where max_size sits in each.
/// The mock frees the arrays only when the cluster is destroyed.
struct PartitionArray {
  unsigned char* data = nullptr;
  std::size_t count = 0;
  std::size_t size = 0;
  std::size_t limits_offset = 0;
};
/// The arrays patched so far, in the order they were patched.
std::vector<PartitionArray> PatchedArrays();

}  // namespace leadflow::devkafka::retention

#endif  // LEADFLOW_TOOLS_DEVKAFKA_MOCK_RETENTION_H_
