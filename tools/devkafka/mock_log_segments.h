// Keeps the partition logs of librdkafka's mock cluster short, so that what a
// Fetch costs devkafka does not grow with how long it has been running.
//
// librdkafka 2.0.2's mock keeps a partition's log as a linked list with one
// entry per record batch it appended (rd_kafka_mock_msgset_t), and answers a
// Fetch at an offset below the log end by walking that list from its head
// (rd_kafka_mock_msgset_find, "FIXME: Maintain an index"); each Fetch returns
// that one entry. devkafka keeps every record (mock_retention.h), so the walk
// grew with every batch: a profile of the bench's 2,000 leads/s phase had
// devkafka's mock thread spend 95 % of its time in that loop
// (bench/RESULTS.md, "Where the CPU goes at 2,000 leads/s").
//
// Segmenting joins old entries into segments: a segment holds record batches
// back to back (the same bytes, BaseOffsets already absolute), first and last
// offset of the run, at most kSegmentBytes bytes. Nothing is dropped or
// changed: every offset stays readable, the log's start, end and size stay the
// same. A Fetch whose offset falls inside a segment gets the whole segment
// (at most kSegmentBytes; a single batch larger than that stays alone), as a
// Kafka broker returns whole batches; clients skip the batches below their
// fetch offset (librdkafka: rdkafka_msgset_reader.c, "If entire MessageSet
// contains old outdated offsets, skip it"). The newest kKeepRecentBatches
// entries stay single, so a consumer following the tail gets exactly its next
// batch.
//
// Two levels, so that a walk is short however many small batches a partition
// holds: (1) every run of single batches older than the newest
// kKeepRecentBatches is joined into one segment as soon as the pass sees it;
// (2) adjacent segments are then merged while the result stays within
// kSegmentBytes and the older one is at most kMergeRatio times the newer one.
// After a pass, of two adjacent old entries either the older is more than
// twice the newer or together they pass kSegmentBytes: a log of S MiB has at
// most about 2 S + log2(kSegmentBytes / smallest run) old entries, whatever
// its batch count, and each byte is copied a number of times logarithmic in
// that ratio (as a binary counter's carries). A walk is then those entries plus the
// kKeepRecentBatches newest plus the batches appended since the last pass
// (mock_log_index.cc passes over a partition every kPassAfterBatches).
//
// This file is the pure part: the mock's structures (their 2.0.2 layout,
// checked at run time) and the merge, unit tested on logs built in memory.
// mock_cluster.cc runs it on the mock thread, between requests.
#ifndef LEADFLOW_TOOLS_DEVKAFKA_MOCK_LOG_SEGMENTS_H_
#define LEADFLOW_TOOLS_DEVKAFKA_MOCK_LOG_SEGMENTS_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace leadflow::devkafka::segments {

/// rd_kafka_mock_msgset_t of librdkafka 2.0.2 (rdkafka_mock_int.h): a TAILQ
/// entry, the offsets, an rd_kafkap_bytes_t; the bytes follow the struct
/// (`data` == this + 1).
struct MockMsgset {
  MockMsgset* next;
  MockMsgset** prev;  // the previous entry's `next`, or the log's `first`
  int64_t first_offset;
  int64_t last_offset;
  int32_t len;
  const void* data;  // points just past this struct
  char unused[1];    // rd_kafkap_bytes_t._data
};

/// The log fields of rd_kafka_mock_partition_t (2.0.2), from the TAILQ head
/// `msgsets` to `max_cnt`; mock_retention.h locates max_size.
struct MockPartitionLog {
  MockMsgset* first;
  MockMsgset** last;  // the last entry's `next`, or `first` when empty
  std::size_t size;   // sum of the entries' len
  std::size_t cnt;    // number of entries
  std::size_t max_size;
  std::size_t max_cnt;
};

/// Offset of `max_size` within MockPartitionLog.
inline constexpr std::size_t kMaxSizeOffsetInLog = 4 * sizeof(void*);

inline constexpr std::size_t kSegmentBytes = 1024 * 1024;
inline constexpr std::size_t kKeepRecentBatches = 8;
/// Level 2 merges two adjacent segments when the older is at most this many
/// times the newer (and the two fit in kSegmentBytes).
inline constexpr std::size_t kMergeRatio = 2;
/// mock_log_index.cc passes over a partition again once it has this many more
/// entries than after its last pass.
inline constexpr std::size_t kPassAfterBatches = 16;

/// What one MergeOldBatches() call did.
struct MergeResult {
  bool layout_ok = true;            ///< false: the log did not look as expected; nothing changed
  std::string problem;              ///< why, when !layout_ok
  std::size_t segments_made = 0;    ///< level 1: runs of single batches joined
  std::size_t batches_merged = 0;   ///< single batches replaced by those segments
  std::size_t segments_merged = 0;  ///< level 2: merges of two adjacent segments
};

/// Joins every run of two or more single-batch entries older than the newest
/// kKeepRecentBatches into segments of at most kSegmentBytes (level 1), then
/// merges adjacent old entries while the result fits in kSegmentBytes and the
/// older is at most kMergeRatio times the newer (level 2). Checks the whole
/// log first (links, counts, sizes, each entry's bytes and BaseOffset) and
/// changes nothing if anything is off. Allocates with malloc(): the mock frees
/// entries with free(); if malloc fails, the entries stay as they are.
MergeResult MergeOldBatches(MockPartitionLog* log);

/// Number of entries a walk from the head visits to reach the log's end.
std::size_t Entries(const MockPartitionLog& log);

}  // namespace leadflow::devkafka::segments

#endif  // LEADFLOW_TOOLS_DEVKAFKA_MOCK_LOG_SEGMENTS_H_
