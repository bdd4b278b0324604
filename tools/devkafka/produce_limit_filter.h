// Makes devkafka refuse oversized record batches the way a real broker does.
//
// librdkafka 2.0.2's mock cluster appends a Produce request's records whatever
// their size (it only limits a whole request to the hosting handle's
// receive.message.max.bytes, 100 MB). A real broker refuses a record batch
// larger than message.max.bytes (default 1,048,588) with MESSAGE_TOO_LARGE
// (error 10) for that partition, even when the client raised its own
// message.max.bytes. This filter sits on one client connection of a mock
// broker, on the bytes the broker reads and writes (see
// broker_socket_interposer.cc), and does the same:
//  - request side: in a Produce request (v0..v8, the versions the mock
//    serves), a partition whose records are larger than the limit gets its
//    first batch's RecordCount set to 0 before the mock parses it, so the mock
//    refuses that partition (INVALID_MSG_SIZE) and appends nothing;
//  - response side: in the matching Produce response, that partition's error
//    code 4 (INVALID_MSG_SIZE) is rewritten to 10 (MESSAGE_TOO_LARGE).
// Both rewrites keep every length, so the streams stay in step. The limit is
// checked on a partition's whole records field, which is one batch for every
// client here (librdkafka and the Java client send one batch per partition
// per request).
//
// Not thread-safe: one connection's bytes, fed in stream order.
#ifndef LEADFLOW_TOOLS_DEVKAFKA_PRODUCE_LIMIT_FILTER_H_
#define LEADFLOW_TOOLS_DEVKAFKA_PRODUCE_LIMIT_FILTER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace leadflow::devkafka {

/// Kafka's default broker message.max.bytes.
inline constexpr int64_t kBrokerMessageMaxBytes = 1048588;

/// A byte range of an I/O vector.
struct ByteSpan {
  char* data = nullptr;
  std::size_t size = 0;
};

/// One refused partition batch, reported to ProduceLimitFilter's callback.
struct RefusedBatch {
  std::string topic;
  int32_t partition = 0;
  int64_t bytes = 0;
};

class ProduceLimitFilter {
 public:
  explicit ProduceLimitFilter(int64_t max_batch_bytes = kBrokerMessageMaxBytes,
                              std::function<void(const RefusedBatch&)> on_refused = nullptr);

  /// Bytes the broker just read from the client, in stream order. May
  /// rewrite them in place.
  void OnRequestBytes(char* data, std::size_t size);

  /// Bytes the broker is about to write (all it offers): rewrites the
  /// refused partitions' error codes in place. Does not advance the stream;
  /// call ResponseSent() with what was actually written.
  void PatchResponse(const std::vector<ByteSpan>& offered);
  /// The first `sent` bytes of `offered` were written.
  void ResponseSent(const std::vector<ByteSpan>& offered, std::size_t sent);

  /// Batches refused so far.
  int refused() const { return refused_; }

 private:
  enum class Field : uint8_t {
    kSize, kApiKey, kApiVersion, kCorrId, kClientIdLen, kClientId, kTxnIdLen, kTxnId, kAcks,
    kTimeout, kTopicCount, kTopicNameLen, kTopicName, kPartitionCount, kPartitionIndex,
    kRecordsLen, kRecords, kRest,
  };
  // What a Produce request with refused partitions needs for its response.
  struct PendingProduce {
    int16_t version = 0;
    std::vector<std::size_t> topic_name_lengths;
    std::vector<int32_t> topic_partition_counts;
    // (topic index, entry index within the topic) of each refused partition.
    std::vector<std::pair<std::size_t, int32_t>> refused;
  };
  // The response stream: where in the current response frame it is.
  struct ResponseState {
    int64_t pos = 0;    // bytes of the current frame passed, its size field included
    int64_t total = 0;  // 4 + size, once the size is known
    unsigned char header[8] = {};
    std::vector<int64_t> patches;  // frame offsets of the low byte of an error code
  };

  void Expect(Field field, int64_t need);
  void Decode();
  void AfterHeader();
  void NextPartition();
  void EndFrame();
  void ComputePatches(ResponseState& st) const;
  void Walk(ResponseState& st, const std::vector<ByteSpan>& spans, std::size_t limit, bool apply,
            bool commit);

  const int64_t max_batch_bytes_;
  std::function<void(const RefusedBatch&)> on_refused_;
  bool broken_ = false;  // the request stream made no sense: pass everything through

  // Request stream.
  Field field_ = Field::kSize;
  int64_t need_ = 4;
  std::string buf_;
  int64_t frame_left_ = 0;
  int16_t api_key_ = 0;
  int16_t api_version_ = 0;
  int32_t corr_id_ = 0;
  int32_t topics_left_ = 0;
  int32_t partitions_left_ = 0;
  std::string topic_;
  int32_t partition_ = 0;
  int64_t records_pos_ = 0;
  bool refuse_current_ = false;
  PendingProduce current_;
  std::map<int32_t, PendingProduce> pending_;  // by correlation id

  ResponseState response_;
  int refused_ = 0;
};

}  // namespace leadflow::devkafka

#endif  // LEADFLOW_TOOLS_DEVKAFKA_PRODUCE_LIMIT_FILTER_H_
