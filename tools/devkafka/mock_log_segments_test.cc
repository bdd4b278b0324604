#include "tools/devkafka/mock_log_segments.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace leadflow::devkafka::segments {
namespace {

// Where a v2 record batch holds LastOffsetDelta (after BaseOffset, BatchLength,
// PartitionLeaderEpoch, Magic, CRC, Attributes).
constexpr std::size_t kLastOffsetDeltaAt = 23;

uint64_t ReadBe(const unsigned char* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | p[i];
  return v;
}

// A partition log laid out as librdkafka 2.0.2's mock keeps it, appended to
// the way rd_kafka_mock_msgset_new() does.
class FakeLog {
 public:
  FakeLog() { log_.last = &log_.first; }
  ~FakeLog() {
    for (MockMsgset* m = log_.first; m != nullptr;) {
      MockMsgset* next = m->next;
      std::free(m);
      m = next;
    }
  }
  FakeLog(const FakeLog&) = delete;
  FakeLog& operator=(const FakeLog&) = delete;

  // One record batch of `bytes` bytes holding `records` records.
  void Append(std::size_t bytes, int records = 2) {
    auto* m = static_cast<MockMsgset*>(std::malloc(sizeof(MockMsgset) + bytes));
    auto* data = reinterpret_cast<unsigned char*>(m + 1);
    for (std::size_t i = 0; i < bytes; ++i) data[i] = static_cast<unsigned char>(end_ * 7 + i);
    WriteBe(data, end_, 8);
    WriteBe(data + 8, static_cast<uint64_t>(bytes - 12), 4);
    WriteBe(data + kLastOffsetDeltaAt, static_cast<uint64_t>(records - 1), 4);
    m->data = data;
    m->len = static_cast<int32_t>(bytes);
    m->first_offset = end_;
    m->last_offset = end_ + records - 1;
    end_ += records;
    m->next = nullptr;
    m->prev = log_.last;
    *log_.last = m;
    log_.last = &m->next;
    ++log_.cnt;
    log_.size += bytes;
  }

  MockPartitionLog* log() { return &log_; }
  const MockPartitionLog* log() const { return &log_; }
  int64_t end() const { return end_; }

  // Every entry's bytes, back to back.
  std::string AllBytes() const {
    std::string all;
    for (const MockMsgset* m = log_.first; m != nullptr; m = m->next) {
      all.append(static_cast<const char*>(m->data), static_cast<std::size_t>(m->len));
    }
    return all;
  }

  // What rd_kafka_mock_msgset_find() returns for `offset`.
  const MockMsgset* Find(int64_t offset) const {
    for (const MockMsgset* m = log_.first; m != nullptr; m = m->next) {
      if (m->first_offset <= offset && offset <= m->last_offset) return m;
    }
    return nullptr;
  }

  // Links both ways, tail pointer, count and size agree.
  bool Consistent() const {
    MockMsgset* const* link = &log_.first;
    std::size_t count = 0;
    std::size_t size = 0;
    for (const MockMsgset* m = log_.first; m != nullptr; m = m->next) {
      if (m->prev != link) return false;
      link = &m->next;
      ++count;
      size += static_cast<std::size_t>(m->len);
    }
    return log_.last == link && count == log_.cnt && size == log_.size;
  }

 private:
  static void WriteBe(unsigned char* p, uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i, v >>= 8) p[i] = static_cast<unsigned char>(v & 0xff);
  }

  MockPartitionLog log_{nullptr, nullptr, 0, 0, 5 * 1024 * 1024, 100000};
  int64_t end_ = 0;
};

// What a consumer reads from `from` on, a Fetch at a time: each Fetch gets the
// entry holding its offset (rd_kafka_mock_handle_Fetch sends one entry), the
// consumer walks the entry's batches and skips those wholly below its offset
// (rdkafka_msgset_reader.c), then fetches from after the entry. Returns the
// offsets it received, in order; `largest_fetch` is the most bytes one Fetch
// returned.
std::vector<int64_t> ReadFrom(const FakeLog& fake, int64_t from, std::size_t* largest_fetch) {
  std::vector<int64_t> offsets;
  *largest_fetch = 0;
  for (int64_t next = from; next < fake.end();) {
    const MockMsgset* m = fake.Find(next);
    if (m == nullptr) break;
    *largest_fetch = std::max(*largest_fetch, static_cast<std::size_t>(m->len));
    const auto* p = static_cast<const unsigned char*>(m->data);
    const unsigned char* end = p + m->len;
    while (p < end) {
      const auto base = static_cast<int64_t>(ReadBe(p, 8));
      const auto last = base + static_cast<int64_t>(ReadBe(p + kLastOffsetDeltaAt, 4));
      for (int64_t o = std::max(base, next); o <= last; ++o) offsets.push_back(o);
      next = std::max(next, last + 1);
      p += 12 + ReadBe(p + 8, 4);
    }
    if (p != end) break;  // batches do not tile the entry: offsets go missing
    next = m->last_offset + 1;
  }
  return offsets;
}

// Every offset from `from` to the end, once each, in order.
std::vector<int64_t> Expected(int64_t from, int64_t end) {
  std::vector<int64_t> offsets;
  for (int64_t o = from; o < end; ++o) offsets.push_back(o);
  return offsets;
}

bool EveryEntryWithinTheLimitOrOneBatch(const FakeLog& fake) {
  for (const MockMsgset* m = fake.log()->first; m != nullptr; m = m->next) {
    const bool single = ReadBe(static_cast<const unsigned char*>(m->data) + 8, 4) + 12 ==
                        static_cast<uint64_t>(m->len);
    if (static_cast<std::size_t>(m->len) > kSegmentBytes && !single) return false;
  }
  return true;
}

TEST(MockLogSegmentsTest, JoinsOldBatchesKeepingEveryOffsetAndEveryByte) {
  FakeLog fake;
  const std::size_t batches = 3000;
  for (std::size_t i = 0; i < batches; ++i) fake.Append(100 + i % 50);
  const std::string bytes = fake.AllBytes();
  const std::size_t size = fake.log()->size;

  const MergeResult result = MergeOldBatches(fake.log());

  ASSERT_TRUE(result.layout_ok) << result.problem;
  // About 370 KB: one run, one segment; the newest stay single.
  EXPECT_EQ(result.segments_made, 1u);
  EXPECT_EQ(result.batches_merged, batches - kKeepRecentBatches);
  EXPECT_EQ(fake.log()->cnt, 1 + kKeepRecentBatches);
  EXPECT_EQ(Entries(*fake.log()), fake.log()->cnt);
  EXPECT_EQ(fake.log()->size, size);
  EXPECT_TRUE(fake.Consistent());
  EXPECT_EQ(fake.AllBytes(), bytes);
  // Every offset is still found, in an entry that starts with its own BaseOffset.
  for (int64_t offset = 0; offset < fake.end(); ++offset) {
    const MockMsgset* m = fake.Find(offset);
    ASSERT_NE(m, nullptr) << offset;
    EXPECT_EQ(static_cast<const unsigned char*>(m->data)[7],
              static_cast<unsigned char>(m->first_offset & 0xff));
  }
  // The newest batches stay single: a consumer at the tail gets just its next one.
  for (int64_t back = 1; back <= 2 * static_cast<int64_t>(kKeepRecentBatches); back += 2) {
    const MockMsgset* m = fake.Find(fake.end() - back);
    EXPECT_EQ(m->last_offset - m->first_offset, 1) << back;
  }
}

// The pipeline's shape: many small batches, a pass every kPassAfterBatches.
// Level 1 alone would leave one segment per pass (hundreds after a few MiB);
// with level 2 the old entries grow with the log's MiB, not its batch count.
TEST(MockLogSegmentsTest, AdjacentSegmentsAreMergedSoTheWalkGrowsWithMegabytesNotBatches) {
  FakeLog fake;
  std::size_t merged = 0;
  constexpr std::size_t kBatchBytes = 1000;
  constexpr std::size_t kMiB = 3;
  const std::size_t passes = kMiB * kSegmentBytes / (kPassAfterBatches * kBatchBytes);
  std::size_t most_entries = 0;
  for (std::size_t pass = 0; pass < passes; ++pass) {
    for (std::size_t i = 0; i < kPassAfterBatches; ++i) fake.Append(kBatchBytes - pass % 7);
    const MergeResult result = MergeOldBatches(fake.log());
    ASSERT_TRUE(result.layout_ok) << result.problem;
    merged += result.segments_merged;
    most_entries = std::max(most_entries, fake.log()->cnt);
  }
  EXPECT_GT(merged, passes / 2);
  // Two per MiB, log2(1 MiB / one pass's run) + 1 smaller ones, the newest
  // single, and one pass's batches.
  const std::size_t bound = 2 * kMiB + 8 + kKeepRecentBatches + kPassAfterBatches;
  EXPECT_LE(most_entries, bound) << "entries after " << passes << " passes";
  EXPECT_LE(fake.log()->cnt, bound);
  EXPECT_EQ(Entries(*fake.log()), fake.log()->cnt);
  EXPECT_TRUE(fake.Consistent());
  EXPECT_TRUE(EveryEntryWithinTheLimitOrOneBatch(fake));
  std::size_t largest_fetch = 0;
  EXPECT_EQ(ReadFrom(fake, 0, &largest_fetch), Expected(0, fake.end()));
  EXPECT_LE(largest_fetch, kSegmentBytes);
}

TEST(MockLogSegmentsTest, AConsumerFetchingInsideASegmentGetsAtMostOneMegabyteAndEveryOffset) {
  FakeLog fake;
  for (std::size_t i = 0; i < 4000; ++i) {
    fake.Append(400 + i % 300, 1 + static_cast<int>(i % 5));
    if (i % kPassAfterBatches == 0) {
      ASSERT_TRUE(MergeOldBatches(fake.log()).layout_ok);
    }
  }
  const std::string bytes = fake.AllBytes();
  ASSERT_GT(fake.log()->size, 2 * kSegmentBytes);
  ASSERT_LT(fake.log()->cnt, 40u);
  for (int64_t from : {int64_t{0}, int64_t{1}, fake.end() / 3, fake.end() / 2 + 7, fake.end() - 40,
                       fake.end() - 3, fake.end() - 1}) {
    std::size_t largest_fetch = 0;
    EXPECT_EQ(ReadFrom(fake, from, &largest_fetch), Expected(from, fake.end())) << from;
    EXPECT_LE(largest_fetch, kSegmentBytes) << from;
  }
  // A consumer at the tail gets one batch of at most 700 bytes.
  std::size_t largest_fetch = 0;
  ReadFrom(fake, fake.end() - 1, &largest_fetch);
  EXPECT_LT(largest_fetch, 700u);
  EXPECT_EQ(fake.AllBytes(), bytes);
}

TEST(MockLogSegmentsTest, ASegmentStaysWithinTheByteLimitAndALargerBatchStaysAlone) {
  FakeLog fake;
  const std::size_t big = 300 * 1024;  // three fit in kSegmentBytes, four do not
  for (std::size_t i = 0; i < 8; ++i) fake.Append(big);
  fake.Append(kSegmentBytes + 1000);  // one batch over the limit
  for (std::size_t i = 0; i < 3; ++i) fake.Append(big);
  for (std::size_t i = 0; i < kKeepRecentBatches; ++i) fake.Append(100);
  const std::string bytes = fake.AllBytes();
  const MergeResult result = MergeOldBatches(fake.log());
  ASSERT_TRUE(result.layout_ok) << result.problem;
  // Batches 0-2, 3-5, 6-7 (joined at once), the big one alone, 9-11.
  EXPECT_EQ(result.segments_made, 4u);
  EXPECT_EQ(result.segments_merged, 0u);  // no two adjacent ones fit together
  EXPECT_EQ(fake.log()->cnt, 5 + kKeepRecentBatches);
  EXPECT_TRUE(EveryEntryWithinTheLimitOrOneBatch(fake));
  EXPECT_EQ(fake.AllBytes(), bytes);
  EXPECT_TRUE(fake.Consistent());
  std::size_t largest_fetch = 0;
  EXPECT_EQ(ReadFrom(fake, 5, &largest_fetch), Expected(5, fake.end()));
  EXPECT_EQ(largest_fetch, kSegmentBytes + 1000);
}

TEST(MockLogSegmentsTest, ALogThatLooksDifferentIsLeftAlone) {
  FakeLog fake;
  for (std::size_t i = 0; i < kKeepRecentBatches + 1000; ++i) fake.Append(90);
  const std::string bytes = fake.AllBytes();

  fake.log()->cnt += 1;  // a count that does not match the entries
  MergeResult result = MergeOldBatches(fake.log());
  EXPECT_FALSE(result.layout_ok);
  EXPECT_EQ(result.problem, "entry count differs from the log's count");
  fake.log()->cnt -= 1;

  // A BaseOffset the mock would have rewritten to the entry's first offset.
  auto* first =
      const_cast<unsigned char*>(static_cast<const unsigned char*>(fake.log()->first->data));
  first[7] ^= 1;
  result = MergeOldBatches(fake.log());
  EXPECT_FALSE(result.layout_ok);
  EXPECT_EQ(result.problem, "entry BaseOffset differs from its first offset");
  EXPECT_EQ(result.segments_made, 0u);
  first[7] ^= 1;

  EXPECT_EQ(fake.AllBytes(), bytes);
  EXPECT_EQ(fake.log()->cnt, kKeepRecentBatches + 1000);
  EXPECT_TRUE(MergeOldBatches(fake.log()).layout_ok);
}

TEST(MockLogSegmentsTest, AShortLogIsNotTouched) {
  FakeLog fake;
  for (std::size_t i = 0; i < kKeepRecentBatches + 1; ++i) fake.Append(70);
  const MergeResult result = MergeOldBatches(fake.log());
  EXPECT_TRUE(result.layout_ok);
  EXPECT_EQ(result.segments_made, 0u);
  EXPECT_EQ(fake.log()->cnt, kKeepRecentBatches + 1);
}

}  // namespace
}  // namespace leadflow::devkafka::segments
