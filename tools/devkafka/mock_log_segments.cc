#include "tools/devkafka/mock_log_segments.h"

#include <cstdlib>
#include <cstring>
#include <vector>

namespace leadflow::devkafka::segments {
namespace {

// A v2 record batch: BaseOffset (8), BatchLength (4), then BatchLength bytes;
// the smallest is 61 bytes (header with no records).
constexpr int32_t kMinBatchBytes = 61;

static_assert(sizeof(MockMsgset) == 56, "rd_kafka_mock_msgset_t of librdkafka 2.0.2");
static_assert(offsetof(MockMsgset, len) == 32 && offsetof(MockMsgset, data) == 40,
              "rd_kafkap_bytes_t of librdkafka 2.0.2");
static_assert(offsetof(MockPartitionLog, max_size) == kMaxSizeOffsetInLog);

uint64_t ReadBe(const unsigned char* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | p[i];
  return v;
}

const unsigned char* Bytes(const MockMsgset& m) {
  return static_cast<const unsigned char*>(m.data);
}

// One record batch, as the mock appends a librdkafka producer's records.
bool SingleBatch(const MockMsgset& m) {
  return static_cast<int64_t>(ReadBe(Bytes(m) + 8, 4)) + 12 == m.len;
}

std::string CheckEntry(const MockMsgset& m, const MockMsgset* previous) {
  if (m.data != &m + 1) return "entry bytes not inline";
  if (m.len < kMinBatchBytes) return "entry shorter than a record batch";
  if (m.first_offset > m.last_offset) return "entry offsets reversed";
  if (static_cast<int64_t>(ReadBe(Bytes(m), 8)) != m.first_offset) {
    return "entry BaseOffset differs from its first offset";
  }
  if (previous != nullptr && previous->last_offset + 1 != m.first_offset) {
    return "entries not contiguous";
  }
  return {};
}

// Walks the whole log once and checks what MergeOldBatches relies on.
std::string CheckLog(const MockPartitionLog& log) {
  std::size_t count = 0;
  std::size_t bytes = 0;
  MockMsgset* const* link = &log.first;
  const MockMsgset* previous = nullptr;
  for (const MockMsgset* m = log.first; m != nullptr; m = m->next) {
    if (m->prev != link) return "entry back link broken";
    if (std::string problem = CheckEntry(*m, previous); !problem.empty()) return problem;
    bytes += static_cast<std::size_t>(m->len);
    ++count;
    link = &m->next;
    previous = m;
  }
  if (log.last != link) return "log tail link broken";
  if (count != log.cnt) return "entry count differs from the log's count";
  if (bytes != log.size) return "entry bytes differ from the log's size";
  return {};
}

// Replaces the `n` entries from `first` (bytes in total) with one segment and
// returns it; nullptr (and the entries as they were) if malloc fails.
MockMsgset* Join(MockPartitionLog* log, MockMsgset* first, std::size_t n, std::size_t bytes) {
  auto* segment = static_cast<MockMsgset*>(std::malloc(sizeof(MockMsgset) + bytes));
  if (segment == nullptr) return nullptr;
  segment->data = segment + 1;
  segment->len = static_cast<int32_t>(bytes);
  segment->first_offset = first->first_offset;
  auto* out = reinterpret_cast<char*>(segment + 1);
  MockMsgset* m = first;
  for (std::size_t i = 0; i < n; ++i) {
    std::memcpy(out, m->data, static_cast<std::size_t>(m->len));
    out += m->len;
    segment->last_offset = m->last_offset;
    MockMsgset* next = m->next;
    if (i > 0) std::free(m);
    m = next;
  }
  // `m` is the entry after the run; link the segment where the run was.
  segment->prev = first->prev;
  *segment->prev = segment;
  segment->next = m;
  if (m != nullptr) {
    m->prev = &segment->next;
  } else {
    log->last = &segment->next;
  }
  std::free(first);
  log->cnt -= n - 1;
  return segment;
}

// A run of single-batch entries being collected.
struct Run {
  MockMsgset* first = nullptr;
  std::size_t n = 0;
  std::size_t bytes = 0;
};

void Flush(MockPartitionLog* log, Run* run, MergeResult* result) {
  if (run->n >= 2 && Join(log, run->first, run->n, run->bytes) != nullptr) {
    ++result->segments_made;
    result->batches_merged += run->n;
  }
  *run = Run{};
}

// Level 1: joins the runs of single batches among the first `eligible` entries.
void JoinRuns(MockPartitionLog* log, std::size_t eligible, MergeResult* result) {
  Run run;
  MockMsgset* m = log->first;
  for (std::size_t i = 0; i < eligible; ++i) {
    MockMsgset* next = m->next;
    const auto len = static_cast<std::size_t>(m->len);
    if (!SingleBatch(*m)) {
      Flush(log, &run, result);
    } else {
      if (run.bytes + len > kSegmentBytes) Flush(log, &run, result);
      if (run.n == 0) run.first = m;
      ++run.n;
      run.bytes += len;
    }
    m = next;
  }
  Flush(log, &run, result);
}

std::size_t Len(const MockMsgset* m) { return static_cast<std::size_t>(m->len); }

// Level 2: merges adjacent entries among the first `eligible` ones, newest
// last on a stack, while the top two fit in kSegmentBytes and the older is at
// most kMergeRatio times the newer.
void MergeSegments(MockPartitionLog* log, std::size_t eligible, MergeResult* result) {
  std::vector<MockMsgset*> stack;
  MockMsgset* m = log->first;
  for (std::size_t i = 0; i < eligible; ++i) {
    MockMsgset* next = m->next;
    stack.push_back(m);
    while (stack.size() >= 2) {
      MockMsgset* older = stack[stack.size() - 2];
      MockMsgset* newer = stack.back();
      const std::size_t bytes = Len(older) + Len(newer);
      if (bytes > kSegmentBytes || Len(older) > kMergeRatio * Len(newer)) break;
      MockMsgset* merged = Join(log, older, 2, bytes);
      if (merged == nullptr) return;
      ++result->segments_merged;
      stack.pop_back();
      stack.back() = merged;
    }
    m = next;
  }
}

}  // namespace

MergeResult MergeOldBatches(MockPartitionLog* log) {
  MergeResult result;
  if (log->cnt <= kKeepRecentBatches + 1) return result;
  result.problem = CheckLog(*log);
  if (!result.problem.empty()) {
    result.layout_ok = false;
    return result;
  }
  JoinRuns(log, log->cnt - kKeepRecentBatches, &result);
  MergeSegments(log, log->cnt - kKeepRecentBatches, &result);
  return result;
}

std::size_t Entries(const MockPartitionLog& log) {
  std::size_t n = 0;
  for (const MockMsgset* m = log.first; m != nullptr; m = m->next) ++n;
  return n;
}

}  // namespace leadflow::devkafka::segments
