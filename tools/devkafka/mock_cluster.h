// Thin, thread-safe wrapper around librdkafka's mock cluster
// (rdkafka_mock.h) that also remembers the state the mock API cannot report
// (broker up/down, topics created through us).

#ifndef LEADFLOW_TOOLS_DEVKAFKA_MOCK_CLUSTER_H_
#define LEADFLOW_TOOLS_DEVKAFKA_MOCK_CLUSTER_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "tools/devkafka/mock_thread_waker.h"
#include "tools/devkafka/topic_list.h"

// librdkafka handle types, forward declared so this header stays free of
// rdkafka.h.
struct rd_kafka_s;
struct rd_kafka_mock_cluster_s;

namespace leadflow::devkafka {

/// A librdkafka mock cluster listening on 127.0.0.1 ephemeral ports. Owns the
/// (otherwise unused) producer handle the mock cluster lives in; both are
/// destroyed together. All methods are safe to call from several threads.
/// Blocking mock calls run under a MockThreadWaker, so they take
/// milliseconds rather than up to a second each.
class MockCluster {
 public:
  /// State of one broker as reported by GetStatus().
  struct Broker {
    int id = 0;
    std::string address;  ///< "127.0.0.1:port".
    bool up = true;
  };

  /// Old record batches joined into segments (mock_log_index.h).
  struct LogSegments {
    bool enabled = false;
    int64_t segments = 0;
    int64_t batches_merged = 0;
    int64_t segments_merged = 0;
    int64_t longest_log = 0;  ///< entries a Fetch may walk in the longest partition log
  };

  /// Snapshot of the cluster.
  struct Status {
    std::string bootstrap;
    std::vector<Broker> brokers;
    std::vector<TopicSpec> topics;  ///< Topics created through this object, in creation order.
    LogSegments log_segments;
  };

  /// Creates a cluster with `brokers` brokers (ids 1..brokers). librdkafka
  /// log lines go to stderr; with `quiet` only errors do. Returns nullptr and
  /// sets `*error` on failure.
  static std::unique_ptr<MockCluster> Create(int brokers, bool quiet, std::string* error);

  /// Destroys the mock cluster (closing all client connections), then the
  /// handle it lives in.
  ~MockCluster();

  MockCluster(const MockCluster&) = delete;
  MockCluster& operator=(const MockCluster&) = delete;

  /// Comma separated "127.0.0.1:port" list of all brokers.
  const std::string& bootstrap() const { return bootstrap_; }
  int broker_count() const { return static_cast<int>(addresses_.size()); }
  /// Replication factor used for created topics: min(3, broker_count()).
  int replication_factor() const;

  /// Creates a topic with retention off (mock_retention.h). Fails if it
  /// already exists (as far as the mock knows, which includes auto-created
  /// topics), or if its retention could not be turned off.
  bool CreateTopic(const TopicSpec& topic, std::string* error);

  /// Takes broker `id` down (disconnects clients, refuses new connections;
  /// does not move partition leadership) or brings it back up.
  bool SetBrokerUp(int id, bool up, std::string* error);

  /// Pushes errors onto the cluster-wide error stack of `api_key`: the next
  /// errors.size() requests of that type, to any broker, fail in order.
  void PushRequestErrors(int16_t api_key, const std::vector<int>& errors);

  /// Pushes errors onto broker `id`'s error stack of `api_key`, each response
  /// delayed by `rtt_ms`. Broker stacks take precedence over the cluster stack
  /// and cannot be cleared (they drain as requests arrive).
  bool PushBrokerRequestErrors(int id, int16_t api_key, const std::vector<int>& errors,
                               int rtt_ms, std::string* error);

  /// Clears the cluster-wide error stack of `api_key`.
  void ClearRequestErrors(int16_t api_key);

  Status GetStatus() const;

 private:
  MockCluster() = default;

  rd_kafka_s* handle_ = nullptr;
  rd_kafka_mock_cluster_s* cluster_ = nullptr;
  std::string bootstrap_;
  std::vector<std::string> addresses_;  // Index i = broker id i + 1.
  std::unique_ptr<MockThreadWaker> waker_;  // Wraps every blocking mock call.

  mutable std::mutex mutex_;
  std::vector<bool> up_;  // Guarded by mutex_; index i = broker id i + 1.
  std::vector<TopicSpec> topics_;  // Guarded by mutex_.
};

}  // namespace leadflow::devkafka

#endif  // LEADFLOW_TOOLS_DEVKAFKA_MOCK_CLUSTER_H_
