#include "tools/devkafka/mock_log_segments.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace leadflow::devkafka::segments {
namespace {

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

TEST(MockLogSegmentsTest, JoinsOldBatchesKeepingEveryOffsetAndEveryByte) {
  FakeLog fake;
  const std::size_t batches = kKeepRecentBatches + 3 * kSegmentBatches + 100;
  for (std::size_t i = 0; i < batches; ++i) fake.Append(100 + i % 50);
  const std::string bytes = fake.AllBytes();
  const std::size_t size = fake.log()->size;

  const MergeResult result = MergeOldBatches(fake.log());

  ASSERT_TRUE(result.layout_ok) << result.problem;
  EXPECT_EQ(result.segments_made, 3u);
  EXPECT_EQ(result.batches_merged, 3 * kSegmentBatches);
  EXPECT_EQ(fake.log()->cnt, 3 + 100 + kKeepRecentBatches);
  EXPECT_EQ(Entries(*fake.log()), fake.log()->cnt);
  EXPECT_EQ(fake.log()->size, size);
  EXPECT_TRUE(fake.Consistent());
  EXPECT_EQ(fake.AllBytes(), bytes);
  // Every offset is still found, in an entry that starts with its own
  // BaseOffset; the first segment holds offsets 0 .. 2 * kSegmentBatches - 1.
  for (int64_t offset = 0; offset < fake.end(); ++offset) {
    const MockMsgset* m = fake.Find(offset);
    ASSERT_NE(m, nullptr) << offset;
    EXPECT_EQ(static_cast<const unsigned char*>(m->data)[7],
              static_cast<unsigned char>(m->first_offset & 0xff));
  }
  EXPECT_EQ(fake.Find(5)->first_offset, 0);
  EXPECT_EQ(fake.Find(5)->last_offset, static_cast<int64_t>(2 * kSegmentBatches - 1));
  // The newest batches stay single: a consumer at the tail gets just its next one.
  const MockMsgset* newest = fake.Find(fake.end() - 1);
  EXPECT_EQ(newest->last_offset - newest->first_offset, 1);
  EXPECT_EQ(fake.Find(fake.end() - 2 * static_cast<int64_t>(kKeepRecentBatches))->last_offset -
                fake.Find(fake.end() - 2 * static_cast<int64_t>(kKeepRecentBatches))->first_offset,
            1);
}

TEST(MockLogSegmentsTest, APartialRunWaitsAndSegmentsAreNotJoinedAgain) {
  FakeLog fake;
  for (std::size_t i = 0; i < kKeepRecentBatches + kSegmentBatches - 1; ++i) fake.Append(80);
  MergeResult result = MergeOldBatches(fake.log());
  ASSERT_TRUE(result.layout_ok) << result.problem;
  EXPECT_EQ(result.segments_made, 0u);
  EXPECT_EQ(fake.log()->cnt, kKeepRecentBatches + kSegmentBatches - 1);

  fake.Append(80);
  result = MergeOldBatches(fake.log());
  EXPECT_EQ(result.segments_made, 1u);
  EXPECT_EQ(fake.log()->cnt, 1 + kKeepRecentBatches);

  for (std::size_t i = 0; i < kSegmentBatches; ++i) fake.Append(80);
  result = MergeOldBatches(fake.log());
  EXPECT_EQ(result.segments_made, 1u);
  EXPECT_EQ(result.batches_merged, kSegmentBatches);
  EXPECT_EQ(fake.log()->cnt, 2 + kKeepRecentBatches);
  EXPECT_TRUE(fake.Consistent());
}

TEST(MockLogSegmentsTest, ASegmentStaysWithinTheByteLimit) {
  FakeLog fake;
  const std::size_t big = 300 * 1024;  // three fit in kSegmentBytes, four do not
  for (std::size_t i = 0; i < kKeepRecentBatches + 8; ++i) fake.Append(big);
  const std::string bytes = fake.AllBytes();
  const MergeResult result = MergeOldBatches(fake.log());
  ASSERT_TRUE(result.layout_ok) << result.problem;
  EXPECT_EQ(result.segments_made, 2u);  // batches 0-2 and 3-5; 6-7 wait
  for (const MockMsgset* m = fake.log()->first; m != nullptr; m = m->next) {
    EXPECT_LE(static_cast<std::size_t>(m->len), kSegmentBytes);
  }
  EXPECT_EQ(fake.AllBytes(), bytes);
  EXPECT_TRUE(fake.Consistent());
}

TEST(MockLogSegmentsTest, ALogThatLooksDifferentIsLeftAlone) {
  FakeLog fake;
  for (std::size_t i = 0; i < kKeepRecentBatches + 2 * kSegmentBatches; ++i) fake.Append(90);
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
  EXPECT_EQ(fake.log()->cnt, kKeepRecentBatches + 2 * kSegmentBatches);
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
