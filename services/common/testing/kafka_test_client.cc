#include "common/testing/kafka_test_client.h"

#include <librdkafka/rdkafka.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <set>
#include <thread>
#include <tuple>

namespace leadflow::testing {
namespace {

using Clock = std::chrono::steady_clock;

int RemainingMs(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::max<int64_t>(0, left.count()));
}

std::string ErrorText(rd_kafka_resp_err_t err) {
  return std::string(rd_kafka_err2name(err)) + ": " + rd_kafka_err2str(err);
}

// Per-message delivery state shared between ProduceSync() and the delivery
// report callback (which may run later, on any polling thread).
struct Delivery {
  explicit Delivery(std::atomic<int>* counter) : outstanding(counter) {}
  std::atomic<int>* outstanding;  // Client-wide count of unreported messages.
  std::atomic<bool> done{false};
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
  int32_t partition = -1;
  int64_t offset = -1;
};

void OnDelivery(rd_kafka_t* /*rk*/, const rd_kafka_message_t* message, void* /*opaque*/) {
  auto* holder = static_cast<std::shared_ptr<Delivery>*>(message->_private);
  if (holder == nullptr) return;
  Delivery& delivery = **holder;
  delivery.outstanding->fetch_sub(1);
  delivery.err = message->err;
  delivery.partition = message->partition;
  delivery.offset = message->offset;
  delivery.done.store(true, std::memory_order_release);
  delete holder;
}

// Applies `config` to `conf`; returns false and sets `*error` on a bad key.
bool ApplyConfig(rd_kafka_conf_t* conf, const KafkaConfig& config, std::string* error) {
  char errstr[512];
  for (const auto& [key, value] : config) {
    if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), errstr, sizeof(errstr)) !=
        RD_KAFKA_CONF_OK) {
      *error = "config " + key + "=" + value + ": " + errstr;
      return false;
    }
  }
  return true;
}

// Closes and destroys a consumer handle on scope exit.
struct ConsumerCloser {
  rd_kafka_t* rk;
  ~ConsumerCloser() {
    if (rk != nullptr) {
      rd_kafka_consumer_close(rk);
      rd_kafka_destroy(rk);
    }
  }
};

// Fetches the partition count of `topic`, retrying until `deadline`.
int PartitionCount(rd_kafka_t* rk, const std::string& topic, Clock::time_point deadline) {
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  if (rkt == nullptr) return -1;
  int count = -1;
  while (count < 0) {
    const rd_kafka_metadata_t* metadata = nullptr;
    int timeout = std::max(100, std::min(RemainingMs(deadline), 5000));
    if (rd_kafka_metadata(rk, 0, rkt, &metadata, timeout) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (metadata->topic_cnt == 1 && metadata->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR &&
          metadata->topics[0].partition_cnt > 0) {
        count = metadata->topics[0].partition_cnt;
      }
      rd_kafka_metadata_destroy(metadata);
    }
    if (count < 0) {
      if (Clock::now() >= deadline) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  rd_kafka_topic_destroy(rkt);
  return count;
}

KafkaMessage ToKafkaMessage(const rd_kafka_message_t* msg) {
  KafkaMessage out;
  out.key_is_null = msg->key == nullptr;
  if (msg->key != nullptr) out.key.assign(static_cast<const char*>(msg->key), msg->key_len);
  if (msg->payload != nullptr) {
    out.value.assign(static_cast<const char*>(msg->payload), msg->len);
  }
  out.partition = msg->partition;
  out.offset = msg->offset;
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(msg, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    const char* name = nullptr;
    const void* value = nullptr;
    size_t size = 0;
    for (size_t i = 0;
         rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
         ++i) {
      out.headers.emplace_back(
          name, value != nullptr ? std::string(static_cast<const char*>(value), size) : "");
    }
  }
  return out;
}

}  // namespace

struct KafkaTestClient::Impl {
  std::string bootstrap;
  KafkaConfig producer_config;
  KafkaConfig consumer_config;

  std::mutex producer_mutex;
  rd_kafka_t* producer = nullptr;  // Created lazily under producer_mutex.

  mutable std::mutex error_mutex;
  std::string last_producer_error;  // Guarded by error_mutex.

  std::atomic<int> consumer_counter{0};

  // Messages produced whose delivery report has not been served yet (only
  // non-zero after a ProduceSync() timed out).
  std::atomic<int> outstanding{0};

  static void OnError(rd_kafka_t* /*rk*/, int err, const char* reason, void* opaque) {
    auto* impl = static_cast<Impl*>(opaque);
    std::lock_guard<std::mutex> lock(impl->error_mutex);
    impl->last_producer_error =
        std::string(rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(err))) + ": " + reason;
  }

  // Returns the producer, creating it on first use; nullptr + `*error` on
  // failure.
  rd_kafka_t* Producer(std::string* error) {
    std::lock_guard<std::mutex> lock(producer_mutex);
    if (producer != nullptr) return producer;
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    KafkaConfig config = {{"bootstrap.servers", bootstrap}, {"acks", "all"}, {"linger.ms", "0"}};
    for (const auto& [key, value] : producer_config) config[key] = value;
    if (!ApplyConfig(conf, config, error)) {
      rd_kafka_conf_destroy(conf);
      return nullptr;
    }
    rd_kafka_conf_set_dr_msg_cb(conf, OnDelivery);
    rd_kafka_conf_set_error_cb(conf, OnError);
    rd_kafka_conf_set_opaque(conf, this);
    char errstr[512];
    producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    if (producer == nullptr) {
      rd_kafka_conf_destroy(conf);
      *error = std::string("cannot create producer: ") + errstr;
    }
    return producer;
  }

  // A fresh consumer handle (group id unique and never joined).
  rd_kafka_t* NewConsumer(std::string* error) {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    KafkaConfig config = {
        {"bootstrap.servers", bootstrap},
        {"group.id", "leadflow-test-client-" + std::to_string(getpid()) + "-" +
                         std::to_string(consumer_counter.fetch_add(1))},
        {"enable.auto.commit", "false"},
        {"enable.auto.offset.store", "false"},
        {"enable.partition.eof", "true"},
        {"auto.offset.reset", "earliest"},
    };
    for (const auto& [key, value] : consumer_config) config[key] = value;
    if (!ApplyConfig(conf, config, error)) {
      rd_kafka_conf_destroy(conf);
      return nullptr;
    }
    char errstr[512];
    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
    if (rk == nullptr) {
      rd_kafka_conf_destroy(conf);
      *error = std::string("cannot create consumer: ") + errstr;
    }
    return rk;
  }

  // Assigns every partition of `topic` at OFFSET_BEGINNING and polls until
  // `done(messages, partitions_at_eof, partition_count)` or `deadline`.
  // Returns false if the topic could not be assigned.
  template <typename DoneFn>
  bool ConsumeFromBeginning(const std::string& topic, Clock::time_point deadline, DoneFn done,
                            std::vector<KafkaMessage>* messages) {
    std::string error;
    ConsumerCloser consumer{NewConsumer(&error)};
    if (consumer.rk == nullptr) return false;
    int partitions = PartitionCount(consumer.rk, topic, deadline);
    if (partitions <= 0) return false;
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions);
    for (int p = 0; p < partitions; ++p) {
      rd_kafka_topic_partition_list_add(list, topic.c_str(), p)->offset =
          RD_KAFKA_OFFSET_BEGINNING;
    }
    rd_kafka_resp_err_t err = rd_kafka_assign(consumer.rk, list);
    rd_kafka_topic_partition_list_destroy(list);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return false;

    std::set<int32_t> at_eof;
    while (!done(*messages, at_eof, partitions) && Clock::now() < deadline) {
      rd_kafka_message_t* msg =
          rd_kafka_consumer_poll(consumer.rk, std::min(100, RemainingMs(deadline)));
      if (msg == nullptr) continue;
      if (msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        at_eof.insert(msg->partition);
      } else if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        messages->push_back(ToKafkaMessage(msg));
        at_eof.erase(msg->partition);
      }  // Other errors are transient for a plain assignment; keep polling.
      rd_kafka_message_destroy(msg);
    }
    std::sort(messages->begin(), messages->end(), [](const KafkaMessage& a, const KafkaMessage& b) {
      return std::tie(a.partition, a.offset) < std::tie(b.partition, b.offset);
    });
    return true;
  }
};

KafkaTestClient::KafkaTestClient(std::string bootstrap, KafkaConfig producer_config,
                                 KafkaConfig consumer_config)
    : impl_(std::make_unique<Impl>()) {
  impl_->bootstrap = std::move(bootstrap);
  impl_->producer_config = std::move(producer_config);
  impl_->consumer_config = std::move(consumer_config);
}

KafkaTestClient::~KafkaTestClient() {
  if (impl_->producer == nullptr) return;
  // rd_kafka_flush() also waits for internal requests (e.g. metadata to a
  // vanished cluster), so only flush when messages are really pending.
  if (impl_->outstanding.load() > 0) rd_kafka_flush(impl_->producer, 5000);
  rd_kafka_purge(impl_->producer, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  rd_kafka_poll(impl_->producer, 0);  // Serve the purged messages' reports.
  rd_kafka_destroy(impl_->producer);
}

DeliveryResult KafkaTestClient::ProduceSync(const std::string& topic, const std::string& key,
                                            const std::string& value, const KafkaHeaders& headers,
                                            int32_t partition, std::chrono::milliseconds timeout) {
  DeliveryResult result;
  rd_kafka_t* rk = impl_->Producer(&result.error);
  if (rk == nullptr) return result;
  const auto deadline = Clock::now() + timeout;

  auto delivery = std::make_shared<Delivery>(&impl_->outstanding);
  rd_kafka_resp_err_t err;
  while (true) {
    rd_kafka_headers_t* hdrs = rd_kafka_headers_new(headers.size());
    for (const auto& [name, header_value] : headers) {
      rd_kafka_header_add(hdrs, name.data(), static_cast<ssize_t>(name.size()),
                          header_value.data(), static_cast<ssize_t>(header_value.size()));
    }
    auto* holder = new std::shared_ptr<Delivery>(delivery);
    err = rd_kafka_producev(
        rk, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(partition),
        RD_KAFKA_V_KEY(key.data(), key.size()), RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
        RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_OPAQUE(holder), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      impl_->outstanding.fetch_add(1);
      break;
    }
    delete holder;
    rd_kafka_headers_destroy(hdrs);  // Only taken over on success.
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL || Clock::now() >= deadline) {
      result.error_code = err;
      result.error = ErrorText(err);
      return result;
    }
    rd_kafka_poll(rk, 50);
  }

  while (!delivery->done.load(std::memory_order_acquire)) {
    if (Clock::now() >= deadline) {
      result.error_code = RD_KAFKA_RESP_ERR__TIMED_OUT;
      result.error = "timed out waiting for the delivery report";
      return result;
    }
    rd_kafka_poll(rk, std::min(50, RemainingMs(deadline)));
  }
  result.error_code = delivery->err;
  result.partition = delivery->partition;
  result.offset = delivery->offset;
  result.ok = delivery->err == RD_KAFKA_RESP_ERR_NO_ERROR;
  if (!result.ok) result.error = ErrorText(delivery->err);
  return result;
}

std::vector<KafkaMessage> KafkaTestClient::ConsumeAll(const std::string& topic,
                                                      std::size_t expected_count,
                                                      std::chrono::milliseconds timeout) {
  std::vector<KafkaMessage> messages;
  impl_->ConsumeFromBeginning(
      topic, Clock::now() + timeout,
      [expected_count](const std::vector<KafkaMessage>& got, const std::set<int32_t>&, int) {
        return got.size() >= expected_count;
      },
      &messages);
  return messages;
}

int64_t KafkaTestClient::CountMessages(const std::string& topic,
                                       std::chrono::milliseconds timeout) {
  std::vector<KafkaMessage> messages;
  bool complete = false;
  bool assigned = impl_->ConsumeFromBeginning(
      topic, Clock::now() + timeout,
      [&complete](const std::vector<KafkaMessage>&, const std::set<int32_t>& at_eof,
                  int partitions) {
        complete = static_cast<int>(at_eof.size()) == partitions;
        return complete;
      },
      &messages);
  if (!assigned || !complete) return -1;
  return static_cast<int64_t>(messages.size());
}

std::vector<int32_t> KafkaTestClient::PartitionLeaders(const std::string& topic,
                                                       std::chrono::milliseconds timeout) {
  std::string error;
  rd_kafka_t* rk = impl_->Producer(&error);
  if (rk == nullptr) return {};
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  if (rkt == nullptr) return {};
  std::vector<int32_t> leaders;
  const rd_kafka_metadata_t* metadata = nullptr;
  if (rd_kafka_metadata(rk, 0, rkt, &metadata, static_cast<int>(timeout.count())) ==
      RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (metadata->topic_cnt == 1 && metadata->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      const rd_kafka_metadata_topic_t& t = metadata->topics[0];
      leaders.assign(static_cast<std::size_t>(t.partition_cnt), -1);
      for (int i = 0; i < t.partition_cnt; ++i) {
        const rd_kafka_metadata_partition_t& p = t.partitions[i];
        if (p.id >= 0 && p.id < t.partition_cnt) leaders[static_cast<std::size_t>(p.id)] = p.leader;
      }
    }
    rd_kafka_metadata_destroy(metadata);
  }
  rd_kafka_topic_destroy(rkt);
  return leaders;
}

std::string KafkaTestClient::LastProducerError() const {
  std::lock_guard<std::mutex> lock(impl_->error_mutex);
  return impl_->last_producer_error;
}

}  // namespace leadflow::testing
