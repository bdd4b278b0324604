// A small plain-librdkafka producer/consumer for tests: produce a message and
// wait for its delivery report; read a topic back from the beginning of all
// partitions without a consumer group. librdkafka stays out of this header.

#ifndef LEADFLOW_SERVICES_COMMON_TESTING_KAFKA_TEST_CLIENT_H_
#define LEADFLOW_SERVICES_COMMON_TESTING_KAFKA_TEST_CLIENT_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace leadflow::testing {

/// Kafka record headers in order (names may repeat).
using KafkaHeaders = std::vector<std::pair<std::string, std::string>>;

/// librdkafka configuration properties, e.g. {"enable.idempotence", "true"}.
using KafkaConfig = std::map<std::string, std::string>;

/// Lets the partitioner choose (RD_KAFKA_PARTITION_UA).
inline constexpr int32_t kAnyPartition = -1;

/// One consumed record.
struct KafkaMessage {
  std::string key;
  bool key_is_null = false;
  std::string value;
  KafkaHeaders headers;
  int32_t partition = -1;
  int64_t offset = -1;
};

/// Outcome of ProduceSync().
struct DeliveryResult {
  bool ok = false;
  int error_code = 0;   ///< rd_kafka_resp_err_t; 0 on success.
  std::string error;    ///< "name: description" on failure.
  int32_t partition = -1;
  int64_t offset = -1;
};

/// Producer + ad-hoc consumers against one cluster.
///
/// The producer is created lazily with `acks=all`, `linger.ms=0` and the
/// given overrides. ProduceSync() may be called from several threads at once.
/// Each ConsumeAll()/CountMessages() call uses a fresh consumer that assigns
/// all partitions at OFFSET_BEGINNING (no group membership, no commits).
class KafkaTestClient {
 public:
  /// `bootstrap` is a bootstrap.servers list; `producer_config` and
  /// `consumer_config` override/extend the defaults.
  explicit KafkaTestClient(std::string bootstrap, KafkaConfig producer_config = {},
                           KafkaConfig consumer_config = {});
  /// Flushes (up to 5 s), purges what is left and destroys the producer.
  ~KafkaTestClient();
  KafkaTestClient(const KafkaTestClient&) = delete;
  KafkaTestClient& operator=(const KafkaTestClient&) = delete;

  /// Produces one message and waits up to `timeout` for its delivery report.
  /// On timeout returns error "timed out"; the message may still be
  /// delivered later.
  DeliveryResult ProduceSync(const std::string& topic, const std::string& key,
                             const std::string& value, const KafkaHeaders& headers = {},
                             int32_t partition = kAnyPartition,
                             std::chrono::milliseconds timeout = std::chrono::seconds(10));

  /// Reads `topic` from the beginning of every partition until
  /// `expected_count` messages were received or `timeout` passed. Returns
  /// what was read, sorted by (partition, offset) — fewer than expected on
  /// timeout, possibly more if more were available in the last poll.
  std::vector<KafkaMessage> ConsumeAll(const std::string& topic, std::size_t expected_count,
                                       std::chrono::milliseconds timeout = std::chrono::seconds(15));

  /// Number of messages in `topic` (read_committed by default): consumes every
  /// partition to its end. -1 if the end was not reached within `timeout`.
  int64_t CountMessages(const std::string& topic,
                        std::chrono::milliseconds timeout = std::chrono::seconds(15));

  /// Leader broker id of each partition (index = partition) from fresh
  /// metadata; empty if the topic is unknown or metadata timed out.
  std::vector<int32_t> PartitionLeaders(const std::string& topic,
                                        std::chrono::milliseconds timeout = std::chrono::seconds(10));

  /// Last error reported by the producer's error callback (for diagnostics).
  std::string LastProducerError() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace leadflow::testing

#endif  // LEADFLOW_SERVICES_COMMON_TESTING_KAFKA_TEST_CLIENT_H_
