#include "tools/devkafka/mock_cluster.h"

#include <librdkafka/rdkafka.h>
// rdkafka_mock.h must come after rdkafka.h.
#include <librdkafka/rdkafka_mock.h>

#include <algorithm>
#include <cinttypes>
#include <cstdlib>
#include <cstdio>

#include "tools/devkafka/broker_socket_interposer.h"
#include "tools/devkafka/mock_log_index.h"
#include "tools/devkafka/mock_retention.h"

namespace leadflow::devkafka {
namespace {

void LogToStderr(const rd_kafka_t* /*rk*/, int level, const char* facility, const char* message) {
  std::fprintf(stderr, "devkafka: librdkafka[%d] %s: %s\n", level, facility, message);
}

std::vector<std::string> SplitCommas(const std::string& text) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    if (comma > start) parts.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return parts;
}

// Runs on the mock thread before it handles the bytes it just read.
void BeforeRequest() {
  retention::PatchPending();
  log_index::OnMockThread();
}

}  // namespace

std::unique_ptr<MockCluster> MockCluster::Create(int brokers, bool quiet, std::string* error) {
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set_log_cb(conf, LogToStderr);
  // LOG_ERR (3) when quiet, LOG_WARNING (4) otherwise; this also hides the
  // notice that the hosting handle has no bootstrap.servers.
  if (rd_kafka_conf_set(conf, "log_level", quiet ? "3" : "4", errstr, sizeof(errstr)) !=
      RD_KAFKA_CONF_OK) {
    *error = std::string("librdkafka config: ") + errstr;
    rd_kafka_conf_destroy(conf);
    return nullptr;
  }
  // The handle only hosts the mock cluster; it never connects anywhere.
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (rk == nullptr) {
    *error = std::string("rd_kafka_new failed: ") + errstr;
    rd_kafka_conf_destroy(conf);  // Not taken over on failure.
    return nullptr;
  }
  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(rk, brokers);
  if (cluster == nullptr) {
    *error = "rd_kafka_mock_cluster_new failed (cannot listen on 127.0.0.1?)";
    rd_kafka_destroy(rk);
    return nullptr;
  }
  std::unique_ptr<MockCluster> mock(new MockCluster());
  mock->handle_ = rk;
  mock->cluster_ = cluster;
  mock->bootstrap_ = rd_kafka_mock_cluster_bootstraps(cluster);
  mock->addresses_ = SplitCommas(mock->bootstrap_);
  if (static_cast<int>(mock->addresses_.size()) != brokers) {
    *error = "unexpected mock bootstrap list \"" + mock->bootstrap_ + "\"";
    return nullptr;
  }
  std::vector<int> ports;
  for (const std::string& address : mock->addresses_) {
    ports.push_back(std::atoi(address.substr(address.rfind(':') + 1).c_str()));
  }
  // Broker limits (docs/reliability.md): batches over message.max.bytes are
  // refused, and topics the mock auto-creates lose their retention too.
  FilterBrokerConnections(ports, [quiet](const RefusedBatch& b) {
    if (quiet) return;
    std::fprintf(stderr,
                 "devkafka: refused a %" PRId64 "-byte record batch for %s [%d]: larger than "
                 "message.max.bytes %" PRId64 " (MESSAGE_TOO_LARGE)\n",
                 b.bytes, b.topic.c_str(), static_cast<int>(b.partition), kBrokerMessageMaxBytes);
  });
  // Fetch cost independent of the log's length (mock_log_index.h).
  log_index::Enable();
  SetBeforeRequestHook(&BeforeRequest);
  mock->waker_ = std::make_unique<MockThreadWaker>(std::move(ports));
  mock->up_.assign(static_cast<std::size_t>(brokers), true);
  return mock;
}

MockCluster::~MockCluster() {
  log_index::Disable();  // the partition logs go with the cluster
  if (cluster_ != nullptr) {
    if (waker_) {
      waker_->Run([this] { rd_kafka_mock_cluster_destroy(cluster_); });
    } else {
      rd_kafka_mock_cluster_destroy(cluster_);
    }
  }
  waker_.reset();
  if (handle_ != nullptr) rd_kafka_destroy(handle_);
}

int MockCluster::replication_factor() const { return std::min(3, broker_count()); }

bool MockCluster::CreateTopic(const TopicSpec& topic, std::string* error) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const TopicSpec& existing : topics_) {
    if (existing.name == topic.name) {
      *error = "topic \"" + topic.name + "\" already exists";
      return false;
    }
  }
  retention::BeginTopicCreate(topic.partitions);
  rd_kafka_resp_err_t err = waker_->Run([&] {
    return rd_kafka_mock_topic_create(cluster_, topic.name.c_str(), topic.partitions,
                                      replication_factor());
  });
  const bool unlimited = retention::EndTopicCreate(topic.partitions);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    *error = "cannot create topic \"" + topic.name + "\": " + rd_kafka_err2str(err);
    return false;
  }
  topics_.push_back(topic);
  if (!unlimited) {
    // Never drop unread records silently (docs/reliability.md): a topic
    // whose retention could not be turned off is an error.
    *error = "topic \"" + topic.name + "\" was created, but its retention (5 MiB or 100,000 "
             "batches per partition in librdkafka's mock cluster) could not be turned off with "
             "this librdkafka (" + rd_kafka_version_str() + "); refusing to drop records silently";
    return false;
  }
  return true;
}

bool MockCluster::SetBrokerUp(int id, bool up, std::string* error) {
  if (id < 1 || id > broker_count()) {
    *error = "no broker with id " + std::to_string(id);
    return false;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  rd_kafka_resp_err_t err = waker_->Run([&] {
    return up ? rd_kafka_mock_broker_set_up(cluster_, id)
              : rd_kafka_mock_broker_set_down(cluster_, id);
  });
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    *error = std::string("cannot change broker state: ") + rd_kafka_err2str(err);
    return false;
  }
  up_[static_cast<std::size_t>(id - 1)] = up;
  return true;
}

void MockCluster::PushRequestErrors(int16_t api_key, const std::vector<int>& errors) {
  std::vector<rd_kafka_resp_err_t> codes;
  codes.reserve(errors.size());
  for (int e : errors) codes.push_back(static_cast<rd_kafka_resp_err_t>(e));
  rd_kafka_mock_push_request_errors_array(cluster_, api_key, codes.size(), codes.data());
}

bool MockCluster::PushBrokerRequestErrors(int id, int16_t api_key, const std::vector<int>& errors,
                                          int rtt_ms, std::string* error) {
  // The API is variadic only; entries are appended to the broker's FIFO, so
  // pushing them one at a time is equivalent to one call with all of them.
  std::lock_guard<std::mutex> lock(mutex_);
  for (int e : errors) {
    rd_kafka_resp_err_t err = rd_kafka_mock_broker_push_request_error_rtts(
        cluster_, id, api_key, 1, static_cast<rd_kafka_resp_err_t>(e), rtt_ms);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      *error = std::string("cannot push broker errors: ") + rd_kafka_err2str(err);
      return false;
    }
  }
  return true;
}

void MockCluster::ClearRequestErrors(int16_t api_key) {
  rd_kafka_mock_clear_request_errors(cluster_, api_key);
}

MockCluster::Status MockCluster::GetStatus() const {
  std::lock_guard<std::mutex> lock(mutex_);
  Status status;
  status.bootstrap = bootstrap_;
  for (std::size_t i = 0; i < addresses_.size(); ++i) {
    status.brokers.push_back({static_cast<int>(i + 1), addresses_[i], up_[i]});
  }
  status.topics = topics_;
  const log_index::Stats segments = log_index::GetStats();
  status.log_segments = {segments.enabled, segments.segments, segments.batches_merged,
                         segments.segments_merged, segments.longest_log};
  return status;
}

}  // namespace leadflow::devkafka
