#include "tools/devkafka/produce_limit_filter.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace leadflow::devkafka {
namespace {

constexpr int16_t kProduceApiKey = 0;
// Produce versions without flexible fields (v9+ would need compact encodings;
// librdkafka 2.0.2's mock serves at most v7).
constexpr int16_t kMaxProduceVersion = 8;
// Offset of RecordCount in a v2 record batch: BaseOffset 8, Length 4,
// PartitionLeaderEpoch 4, Magic 1, CRC 4, Attributes 2, LastOffsetDelta 4,
// BaseTimestamp 8, MaxTimestamp 8, ProducerId 8, ProducerEpoch 2,
// BaseSequence 4.
constexpr int64_t kRecordCountOffset = 57;
// A frame larger than this is not Kafka traffic (the mock itself refuses
// requests over 100 MB).
constexpr int64_t kMaxFrameBytes = 256LL << 20;
constexpr unsigned char kInvalidMsgSize = 4;
constexpr unsigned char kMessageTooLarge = 10;

int32_t ReadI32(const unsigned char* p) {
  return static_cast<int32_t>((static_cast<uint32_t>(p[0]) << 24) |
                              (static_cast<uint32_t>(p[1]) << 16) |
                              (static_cast<uint32_t>(p[2]) << 8) | static_cast<uint32_t>(p[3]));
}
int32_t ReadI32(const std::string& b) {
  return ReadI32(reinterpret_cast<const unsigned char*>(b.data()));
}
int16_t ReadI16(const std::string& b) {
  const auto* p = reinterpret_cast<const unsigned char*>(b.data());
  return static_cast<int16_t>((static_cast<uint16_t>(p[0]) << 8) | static_cast<uint16_t>(p[1]));
}

}  // namespace

ProduceLimitFilter::ProduceLimitFilter(int64_t max_batch_bytes,
                                       std::function<void(const RefusedBatch&)> on_refused)
    : max_batch_bytes_(max_batch_bytes), on_refused_(std::move(on_refused)) {}

void ProduceLimitFilter::Expect(Field field, int64_t need) {
  buf_.clear();
  field_ = field;
  need_ = need;
  if (field == Field::kSize) return;
  if (frame_left_ <= 0) {
    EndFrame();
    return;
  }
  // A length running past the frame: not what this parser understands, so
  // skip to the next frame.
  if (need_ <= 0 || need_ > frame_left_) {
    field_ = Field::kRest;
    need_ = frame_left_;
  }
}

void ProduceLimitFilter::OnRequestBytes(char* data, std::size_t size) {
  while (size > 0 && !broken_) {
    const bool skip = field_ == Field::kClientId || field_ == Field::kTxnId ||
                      field_ == Field::kRecords || field_ == Field::kRest;
    if (skip) {
      const auto take = static_cast<std::size_t>(std::min<int64_t>(static_cast<int64_t>(size), need_));
      if (field_ == Field::kRecords) {
        if (refuse_current_) {
          for (std::size_t i = 0; i < take; ++i) {
            const int64_t at = records_pos_ + static_cast<int64_t>(i);
            if (at >= kRecordCountOffset && at < kRecordCountOffset + 4) data[i] = 0;
          }
        }
        records_pos_ += static_cast<int64_t>(take);
      }
      data += take;
      size -= take;
      need_ -= static_cast<int64_t>(take);
      frame_left_ -= static_cast<int64_t>(take);
      if (need_ == 0) Decode();
      continue;
    }
    const auto take = static_cast<std::size_t>(
        std::min<int64_t>(static_cast<int64_t>(size), need_ - static_cast<int64_t>(buf_.size())));
    buf_.append(data, take);
    data += take;
    size -= take;
    if (field_ != Field::kSize) frame_left_ -= static_cast<int64_t>(take);
    if (static_cast<int64_t>(buf_.size()) == need_) Decode();
  }
}

void ProduceLimitFilter::Decode() {
  switch (field_) {
    case Field::kSize: {
      const int32_t size = ReadI32(buf_);
      if (size < 0 || size > kMaxFrameBytes) {
        broken_ = true;
        return;
      }
      frame_left_ = size;
      current_ = PendingProduce{};
      Expect(Field::kApiKey, 2);
      return;
    }
    case Field::kApiKey:
      api_key_ = ReadI16(buf_);
      Expect(Field::kApiVersion, 2);
      return;
    case Field::kApiVersion:
      api_version_ = ReadI16(buf_);
      Expect(Field::kCorrId, 4);
      return;
    case Field::kCorrId:
      corr_id_ = ReadI32(buf_);
      Expect(Field::kClientIdLen, 2);
      return;
    case Field::kClientIdLen: {
      const int16_t len = ReadI16(buf_);
      if (len > 0) {
        Expect(Field::kClientId, len);
      } else {
        AfterHeader();
      }
      return;
    }
    case Field::kClientId:
      AfterHeader();
      return;
    case Field::kTxnIdLen: {
      const int16_t len = ReadI16(buf_);
      if (len > 0) {
        Expect(Field::kTxnId, len);
      } else {
        Expect(Field::kAcks, 2);
      }
      return;
    }
    case Field::kTxnId:
      Expect(Field::kAcks, 2);
      return;
    case Field::kAcks:
      Expect(Field::kTimeout, 4);
      return;
    case Field::kTimeout:
      Expect(Field::kTopicCount, 4);
      return;
    case Field::kTopicCount:
      topics_left_ = ReadI32(buf_);
      if (topics_left_ <= 0) {
        Expect(Field::kRest, frame_left_);
      } else {
        Expect(Field::kTopicNameLen, 2);
      }
      return;
    case Field::kTopicNameLen: {
      const int16_t len = ReadI16(buf_);
      topic_.clear();
      if (len > 0) {
        Expect(Field::kTopicName, len);
      } else {
        current_.topic_name_lengths.push_back(0);
        Expect(Field::kPartitionCount, 4);
      }
      return;
    }
    case Field::kTopicName:
      topic_ = buf_;
      current_.topic_name_lengths.push_back(topic_.size());
      Expect(Field::kPartitionCount, 4);
      return;
    case Field::kPartitionCount:
      partitions_left_ = ReadI32(buf_);
      current_.topic_partition_counts.push_back(std::max(0, partitions_left_));
      if (partitions_left_ <= 0) {
        partitions_left_ = 1;  // NextPartition() ends the topic
        NextPartition();
      } else {
        Expect(Field::kPartitionIndex, 4);
      }
      return;
    case Field::kPartitionIndex:
      partition_ = ReadI32(buf_);
      Expect(Field::kRecordsLen, 4);
      return;
    case Field::kRecordsLen: {
      const int32_t len = ReadI32(buf_);
      refuse_current_ = len > max_batch_bytes_ && len >= kRecordCountOffset + 4;
      if (refuse_current_) {
        const int32_t count = current_.topic_partition_counts.back();
        current_.refused.emplace_back(current_.topic_partition_counts.size() - 1,
                                      count - partitions_left_);
        ++refused_;
        if (on_refused_) on_refused_({topic_, partition_, len});
      }
      if (len > 0) {
        records_pos_ = 0;
        Expect(Field::kRecords, len);
      } else {
        NextPartition();
      }
      return;
    }
    case Field::kRecords:
      refuse_current_ = false;
      NextPartition();
      return;
    case Field::kRest:
      EndFrame();
      return;
  }
}

void ProduceLimitFilter::AfterHeader() {
  if (api_key_ == kProduceApiKey && api_version_ >= 0 && api_version_ <= kMaxProduceVersion) {
    current_.version = api_version_;
    Expect(api_version_ >= 3 ? Field::kTxnIdLen : Field::kAcks, 2);
  } else {
    Expect(Field::kRest, frame_left_);
  }
}

void ProduceLimitFilter::NextPartition() {
  if (--partitions_left_ > 0) {
    Expect(Field::kPartitionIndex, 4);
  } else if (--topics_left_ > 0) {
    Expect(Field::kTopicNameLen, 2);
  } else {
    Expect(Field::kRest, frame_left_);
  }
}

void ProduceLimitFilter::EndFrame() {
  if (api_key_ == kProduceApiKey && !current_.refused.empty()) {
    pending_[corr_id_] = std::move(current_);
  }
  current_ = PendingProduce{};
  refuse_current_ = false;
  frame_left_ = 0;
  field_ = Field::kSize;
  need_ = 4;
  buf_.clear();
}

void ProduceLimitFilter::ComputePatches(ResponseState& st) const {
  st.patches.clear();
  const int32_t size = ReadI32(st.header);
  auto it = pending_.find(ReadI32(st.header + 4));
  if (it == pending_.end()) return;
  const PendingProduce& p = it->second;
  // The mock answers topic by topic, partition by partition, in request
  // order, each partition entry the same size E: solve for E from the size.
  int64_t fixed = 4 /* correlation id */ + 4 /* topic count */ + (p.version >= 1 ? 4 : 0);
  int64_t entries = 0;
  for (std::size_t t = 0; t < p.topic_name_lengths.size(); ++t) {
    fixed += 2 + static_cast<int64_t>(p.topic_name_lengths[t]) + 4;
    entries += p.topic_partition_counts[t];
  }
  const int64_t entry_bytes = static_cast<int64_t>(size) - fixed;
  if (entries <= 0 || entry_bytes <= 0 || entry_bytes % entries != 0) return;
  const int64_t e = entry_bytes / entries;
  if (e < 14 || e > 256) return;  // partition 4 + error 2 + base offset 8 at least
  for (const auto& [topic, index] : p.refused) {
    int64_t off = 8 + 4;
    for (std::size_t t = 0; t < topic; ++t) {
      off += 2 + static_cast<int64_t>(p.topic_name_lengths[t]) + 4 + p.topic_partition_counts[t] * e;
    }
    off += 2 + static_cast<int64_t>(p.topic_name_lengths[topic]) + 4 + index * e;
    st.patches.push_back(off + 4 /* partition index */ + 1 /* low byte of the error code */);
  }
}

void ProduceLimitFilter::Walk(ResponseState& st, const std::vector<ByteSpan>& spans,
                              std::size_t limit, bool apply, bool commit) {
  std::size_t left = limit;
  for (const ByteSpan& span : spans) {
    if (left == 0) break;
    std::size_t n = std::min(span.size, left);
    left -= n;
    char* p = span.data;
    while (n > 0) {
      if (st.pos < 8) {
        const std::size_t take = std::min<std::size_t>(n, static_cast<std::size_t>(8 - st.pos));
        std::memcpy(st.header + st.pos, p, take);
        st.pos += static_cast<int64_t>(take);
        p += take;
        n -= take;
        if (st.pos == 8) {
          st.total = std::max<int64_t>(8, 4 + static_cast<int64_t>(ReadI32(st.header)));
          ComputePatches(st);
        }
      } else {
        const auto take =
            static_cast<std::size_t>(std::min<int64_t>(static_cast<int64_t>(n), st.total - st.pos));
        if (apply) {
          for (int64_t off : st.patches) {
            if (off < st.pos || off >= st.pos + static_cast<int64_t>(take)) continue;
            char& byte = p[off - st.pos];
            if (static_cast<unsigned char>(byte) == kInvalidMsgSize) {
              byte = static_cast<char>(kMessageTooLarge);
            }
          }
        }
        st.pos += static_cast<int64_t>(take);
        p += take;
        n -= take;
      }
      if (st.pos >= 8 && st.pos >= st.total) {
        if (commit) pending_.erase(ReadI32(st.header + 4));
        st = ResponseState{};
      }
    }
  }
}

void ProduceLimitFilter::PatchResponse(const std::vector<ByteSpan>& offered) {
  if (pending_.empty()) return;
  ResponseState copy = response_;
  std::size_t total = 0;
  for (const ByteSpan& s : offered) total += s.size;
  Walk(copy, offered, total, /*apply=*/true, /*commit=*/false);
}

void ProduceLimitFilter::ResponseSent(const std::vector<ByteSpan>& offered, std::size_t sent) {
  Walk(response_, offered, sent, /*apply=*/false, /*commit=*/true);
}

}  // namespace leadflow::devkafka
