// Integration tests of leadflow-devkafka (librdkafka mock cluster reachable
// over TCP) and of the leadflow_testing fixtures (DevKafka, RedisServer,
// KafkaTestClient). Real processes, real sockets.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/testing/child_process.h"
#include "common/testing/dev_kafka.h"
#include "common/testing/kafka_test_client.h"
#include "common/testing/redis_server.h"
#include "common/testing/temp_dir.h"

namespace leadflow {
namespace {

using ::leadflow::testing::ChildProcess;
using ::leadflow::testing::ChildProcessOptions;
using ::leadflow::testing::DeliveryResult;
using ::leadflow::testing::DevKafka;
using ::leadflow::testing::DevKafkaOptions;
using ::leadflow::testing::KafkaConfig;
using ::leadflow::testing::KafkaMessage;
using ::leadflow::testing::KafkaTestClient;
using ::leadflow::testing::RedisServer;
using ::leadflow::testing::RedisServerOptions;
using ::leadflow::testing::TempDir;
using ::testing::HasSubstr;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Kafka protocol ApiKeys and error codes used below.
constexpr int16_t kProduceApi = 0;
constexpr int kNotLeaderForPartition = 6;
constexpr int kRequestTimedOut = 7;
constexpr int kMessageSizeTooLarge = 10;
constexpr int kTransportError = -195;  // RD_KAFKA_RESP_ERR__TRANSPORT: mock disconnects.

// The project topics devkafka must create by default (name, partitions).
const std::vector<std::pair<std::string, int>> kProjectTopics = {
    {"leads.submitted", 6},  {"leads.accepted", 6},         {"leads.rejected", 3},
    {"leads.scored", 6},     {"leads.assigned", 6},         {"leads.nurture", 6},
    {"accounts.inbound", 6}, {"accounts.changes", 3},       {"engagement.events", 6},
    {"sales.feedback", 6},   {"nurture.touches", 6},        {"accounts.notifications", 6},
    {"privacy.erasure", 3},  {"reps.availability", 3},         {"leads.discarded", 6},
    {"deals.stages", 6},     {"deals.stalls", 3},            {"accounts.contacts", 6},
    {"notifications.dead", 3},  {"leads.cohorts", 6},   {"sla.escalations", 3},
    {"reps.out-of-office", 3},
    // one feedback topic per shipped team (config/routing_rules.json)
    {"sales.feedback.key-accounts", 3}, {"sales.feedback.enterprise", 3},
    {"sales.feedback.mid-market", 3},   {"sales.feedback.small-deals", 3},
    {"sales.feedback.partners", 3},     {"sales.feedback.customer-success", 3},
};

// Short reconnect backoffs so that recovery after faults is quick.
KafkaConfig FastRecovery(KafkaConfig extra = {}) {
  KafkaConfig config = {{"reconnect.backoff.ms", "50"},
                        {"reconnect.backoff.max.ms", "250"},
                        {"retry.backoff.ms", "50"},
                        {"topic.metadata.refresh.interval.ms", "1000"}};
  for (auto& [key, value] : extra) config[key] = value;
  return config;
}

std::unique_ptr<DevKafka> StartDevKafka(int brokers, DevKafkaOptions options = {}) {
  options.brokers = brokers;
  std::string error;
  std::unique_ptr<DevKafka> kafka = DevKafka::Start(options, &error);
  EXPECT_NE(kafka, nullptr) << error;
  return kafka;
}

nlohmann::json StatusJson(DevKafka& kafka) {
  testing::ControlResponse response = kafka.Status();
  EXPECT_EQ(response.status, 200) << response.body;
  return nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
}

// --- Basic produce / consume -------------------------------------------------

TEST(DevKafkaTest, ProducedMessagesAreConsumedBackFromAllPartitions) {
  auto kafka = StartDevKafka(3);
  ASSERT_NE(kafka, nullptr);
  EXPECT_EQ(kafka->brokers(), 3);
  EXPECT_THAT(kafka->bootstrap(), ::testing::MatchesRegex(
                                      "127\\.0\\.0\\.1:[0-9]+,127\\.0\\.0\\.1:[0-9]+,"
                                      "127\\.0\\.0\\.1:[0-9]+"));
  EXPECT_THAT(kafka->process().ReadStdout(),
              ::testing::MatchesRegex("bootstrap=" + kafka->bootstrap() + "\n"));
  EXPECT_THAT(kafka->process().ReadStderr(), HasSubstr("leads.submitted(6)"));

  KafkaTestClient client(kafka->bootstrap());
  constexpr int kCount = 60;
  std::map<std::string, std::string> sent;  // key -> value
  for (int i = 0; i < kCount; ++i) {
    std::string key = "lead-" + std::to_string(i);
    std::string value = "{\"lead\":" + std::to_string(i) + "}";
    DeliveryResult result = client.ProduceSync("leads.submitted", key, value,
                                               {{"trace-id", "t-" + std::to_string(i)},
                                                {"source", "it"}});
    ASSERT_TRUE(result.ok) << result.error;
    EXPECT_GE(result.partition, 0);
    EXPECT_LT(result.partition, 6);
    sent[key] = value;
  }

  std::vector<KafkaMessage> messages = client.ConsumeAll("leads.submitted", kCount);
  ASSERT_EQ(messages.size(), static_cast<std::size_t>(kCount));
  std::set<int32_t> partitions;
  std::map<int32_t, int64_t> next_offset;
  for (const KafkaMessage& message : messages) {
    ASSERT_TRUE(sent.count(message.key)) << message.key;
    EXPECT_EQ(message.value, sent[message.key]);
    EXPECT_FALSE(message.key_is_null);
    const std::string n = message.key.substr(5);
    EXPECT_EQ(message.headers,
              (testing::KafkaHeaders{{"trace-id", "t-" + n}, {"source", "it"}}));
    EXPECT_EQ(message.offset, next_offset[message.partition]++) << "gap in partition";
    partitions.insert(message.partition);
  }
  EXPECT_EQ(partitions.size(), 6u) << "60 keys should spread over all 6 partitions";
  EXPECT_EQ(client.CountMessages("leads.submitted"), kCount);
  EXPECT_EQ(client.CountMessages("leads.accepted"), 0);
  EXPECT_EQ(kafka->Stop(), 0);
}

TEST(DevKafkaTest, KcatListsTheProjectTopics) {
  auto kafka = StartDevKafka(3);
  ASSERT_NE(kafka, nullptr);
  ChildProcessOptions options;
  options.binary = "kcat";
  options.args = {"-b", kafka->bootstrap(), "-L", "-m", "10"};
  std::string error;
  auto kcat = ChildProcess::Start(options, &error);
  if (kcat == nullptr && error.find("cannot find executable") != std::string::npos) {
    GTEST_SKIP() << "kcat is not installed";
  }
  ASSERT_NE(kcat, nullptr) << error;
  ASSERT_EQ(kcat->WaitForExit(30s), 0) << kcat->Describe();
  const std::string listing = kcat->ReadStdout();
  EXPECT_THAT(listing, HasSubstr(" 3 brokers:"));
  for (int id = 1; id <= 3; ++id) {
    EXPECT_THAT(listing, HasSubstr("broker " + std::to_string(id) + " at 127.0.0.1:"));
  }
  for (const auto& [name, partitions] : kProjectTopics) {
    EXPECT_THAT(listing, HasSubstr("topic \"" + name + "\" with " + std::to_string(partitions) +
                                   " partitions:"));
  }
  EXPECT_THAT(listing, HasSubstr("replicas: 1,2,3")) << "replication factor min(3, N)";
}

// --- Fault injection ---------------------------------------------------------

TEST(DevKafkaTest, ProducerRecoversAfterBrokerDownAndUp) {
  auto kafka = StartDevKafka(3);
  ASSERT_NE(kafka, nullptr);
  KafkaTestClient client(kafka->bootstrap(), FastRecovery({{"message.timeout.ms", "60000"},
                                                           {"enable.idempotence", "true"},
                                                           {"acks", "all"}}));
  const std::string topic = "leads.rejected";
  std::vector<int32_t> leaders = client.PartitionLeaders(topic);
  ASSERT_EQ(leaders.size(), 3u);
  const int32_t partition = 0;
  const int broker = leaders[partition];
  ASSERT_GE(broker, 1);
  DeliveryResult warmup = client.ProduceSync(topic, "k", "before", {}, partition);
  ASSERT_TRUE(warmup.ok) << warmup.error;

  std::string error;
  ASSERT_TRUE(kafka->BrokerDown(broker, &error)) << error;
  nlohmann::json status = StatusJson(*kafka);
  EXPECT_EQ(status["brokers"][broker - 1]["up"], false) << status.dump();
  EXPECT_EQ(status["brokers"][broker % 3]["up"], true) << status.dump();

  auto pending = std::async(std::launch::async, [&] {
    return client.ProduceSync(topic, "k", "during-outage", {}, partition, 30s);
  });
  EXPECT_EQ(pending.wait_for(1500ms), std::future_status::timeout)
      << "delivery must stall while the partition leader is down";

  ASSERT_TRUE(kafka->BrokerUp(broker, &error)) << error;
  const auto up_at = Clock::now();
  DeliveryResult recovered = pending.get();
  EXPECT_TRUE(recovered.ok) << recovered.error;
  EXPECT_EQ(recovered.partition, partition);
  EXPECT_EQ(recovered.offset, warmup.offset + 1);
  EXPECT_LT(Clock::now() - up_at, 15s);
  EXPECT_EQ(StatusJson(*kafka)["brokers"][broker - 1]["up"], true);

  std::vector<KafkaMessage> messages = client.ConsumeAll(topic, 2);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].value, "before");
  EXPECT_EQ(messages[1].value, "during-outage");
  EXPECT_EQ(kafka->Stop(), 0);
}

TEST(DevKafkaTest, PushedProduceErrorsAreObservedAndThenClear) {
  auto kafka = StartDevKafka(1);
  ASSERT_NE(kafka, nullptr);
  KafkaTestClient client(kafka->bootstrap(), FastRecovery());
  const std::string topic = "sales.feedback";
  ASSERT_TRUE(client.ProduceSync(topic, "k", "ok-1").ok);

  // A non-retriable error fails exactly one delivery; the next one succeeds.
  std::string error;
  ASSERT_TRUE(kafka->PushRequestErrors(kProduceApi, {kMessageSizeTooLarge}, &error))
      << error;
  DeliveryResult failed = client.ProduceSync(topic, "k", "rejected");
  EXPECT_FALSE(failed.ok);
  EXPECT_EQ(failed.error_code, kMessageSizeTooLarge) << failed.error;
  DeliveryResult after = client.ProduceSync(topic, "k", "ok-2");
  EXPECT_TRUE(after.ok) << after.error;

  // Retriable errors (including a forced disconnect) are retried through.
  ASSERT_TRUE(kafka->PushRequestErrors(
      kProduceApi, {kNotLeaderForPartition, kRequestTimedOut, kTransportError}, &error))
      << error;
  DeliveryResult retried = client.ProduceSync(topic, "k", "ok-3", {}, -1, 20s);
  EXPECT_TRUE(retried.ok) << retried.error;

  // Cleared errors are not applied any more.
  ASSERT_TRUE(kafka->PushRequestErrors(
      kProduceApi, {kMessageSizeTooLarge, kMessageSizeTooLarge}, &error))
      << error;
  ASSERT_TRUE(kafka->ClearRequestErrors(kProduceApi, &error)) << error;
  DeliveryResult cleared = client.ProduceSync(topic, "k", "ok-4");
  EXPECT_TRUE(cleared.ok) << cleared.error;

  // Per-broker entries with an RTT delay the response.
  ASSERT_TRUE(kafka->PushBrokerRequestErrors(1, kProduceApi, {0}, 1500, &error)) << error;
  const auto start = Clock::now();
  DeliveryResult slow = client.ProduceSync(topic, "k", "ok-slow");
  EXPECT_TRUE(slow.ok) << slow.error;
  EXPECT_GE(Clock::now() - start, 1400ms);

  std::vector<KafkaMessage> messages = client.ConsumeAll(topic, 5);
  std::vector<std::string> values;
  for (const KafkaMessage& m : messages) values.push_back(m.value);
  std::sort(values.begin(), values.end());
  EXPECT_EQ(values, (std::vector<std::string>{"ok-1", "ok-2", "ok-3", "ok-4", "ok-slow"}));
  EXPECT_EQ(client.CountMessages(topic), 5);
  EXPECT_EQ(kafka->Stop(), 0);
}

// Produces `threads` x `per_thread` messages concurrently (one ProduceSync
// at a time per thread) and checks that every acknowledged message is in the
// topic exactly once and that each thread's messages keep their order within
// a partition.
void ProduceConcurrentlyAndExpectExactlyOnce(KafkaTestClient& client, const std::string& topic,
                                             int threads, int per_thread,
                                             std::size_t already_in_topic) {
  using Deliveries = std::map<std::string, DeliveryResult>;
  std::vector<std::future<Deliveries>> producers;
  for (int t = 0; t < threads; ++t) {
    producers.push_back(std::async(std::launch::async, [&client, &topic, t, per_thread] {
      Deliveries deliveries;
      for (int i = 0; i < per_thread; ++i) {
        std::string key = "t" + std::to_string(t) + "-" + std::to_string(i);
        deliveries[key] = client.ProduceSync(topic, key, key, {}, testing::kAnyPartition, 30s);
      }
      return deliveries;
    }));
  }
  Deliveries deliveries;
  for (auto& producer : producers) deliveries.merge(producer.get());
  for (const auto& [key, result] : deliveries) {
    EXPECT_TRUE(result.ok) << key << ": " << result.error;
    EXPECT_GE(result.offset, 0) << key << " acknowledged without an offset";
  }

  const std::size_t expected = deliveries.size() + already_in_topic;
  std::vector<KafkaMessage> messages = client.ConsumeAll(topic, expected);
  std::set<std::string> keys;
  std::map<std::string, int> last_index;  // "<thread>@<partition>" -> last index seen
  for (const KafkaMessage& m : messages) {
    EXPECT_TRUE(keys.insert(m.key).second) << "duplicate " << m.key;
    if (m.key.rfind('t', 0) != 0) continue;
    const std::string thread = m.key.substr(0, m.key.find('-'));
    const int index = std::stoi(m.key.substr(m.key.find('-') + 1));
    const std::string slot = thread + "@" + std::to_string(m.partition);
    if (last_index.count(slot)) {
      EXPECT_GT(index, last_index[slot]) << "reordered " << m.key;
    }
    last_index[slot] = index;
  }
  for (const auto& [key, result] : deliveries) {
    EXPECT_TRUE(keys.count(key)) << "acknowledged message " << key << " (partition "
                                 << result.partition << " offset " << result.offset
                                 << ") was not consumed";
  }
  EXPECT_EQ(messages.size(), expected);
  EXPECT_EQ(client.CountMessages(topic), static_cast<int64_t>(expected));
}

TEST(DevKafkaTest, IdempotentAcksAllProducerIsExactlyOnceWithConcurrentSends) {
  auto kafka = StartDevKafka(3);
  ASSERT_NE(kafka, nullptr);
  // Default max.in.flight (5): requests to a partition are pipelined.
  KafkaTestClient client(kafka->bootstrap(),
                         FastRecovery({{"enable.idempotence", "true"}, {"acks", "all"}}));
  ProduceConcurrentlyAndExpectExactlyOnce(client, "leads.scored", 4, 25, 0);
  EXPECT_EQ(kafka->Stop(), 0);
}

// With injected Produce errors the mock's idempotence bookkeeping is only
// reliable without pipelining: with max.in.flight > 1 an error injected into
// one of several in-flight batches of a partition can make the mock ack a
// retried batch without storing it, or store it twice (librdkafka 2.0.2).
TEST(DevKafkaTest, IdempotentProducerRetriesInjectedErrorsExactlyOnceWithoutPipelining) {
  auto kafka = StartDevKafka(3);
  ASSERT_NE(kafka, nullptr);
  KafkaTestClient client(kafka->bootstrap(),
                         FastRecovery({{"enable.idempotence", "true"},
                                       {"acks", "all"},
                                       {"max.in.flight.requests.per.connection", "1"}}));
  const std::string topic = "engagement.events";
  ASSERT_TRUE(client.ProduceSync(topic, "warmup", "0").ok);
  std::string error;
  ASSERT_TRUE(kafka->PushRequestErrors(kProduceApi,
                                       {kNotLeaderForPartition, kTransportError, kRequestTimedOut,
                                        kTransportError, kNotLeaderForPartition},
                                       &error))
      << error;
  ProduceConcurrentlyAndExpectExactlyOnce(client, topic, 4, 25, 1);
  EXPECT_EQ(kafka->Stop(), 0);
}

// --- Consumer groups and transactions (plain librdkafka) ---------------------

// A high-level (subscribe-based) consumer for the group test.
class GroupConsumer {
 public:
  GroupConsumer(const std::string& bootstrap, const std::string& group, const std::string& topic) {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    const std::map<std::string, std::string> config = {
        {"bootstrap.servers", bootstrap},
        {"group.id", group},
        {"auto.offset.reset", "earliest"},
        {"enable.auto.commit", "false"},
        {"session.timeout.ms", "3000"},
        {"heartbeat.interval.ms", "300"},
        {"reconnect.backoff.max.ms", "250"},
    };
    char errstr[512];
    for (const auto& [key, value] : config) {
      EXPECT_EQ(rd_kafka_conf_set(conf, key.c_str(), value.c_str(), errstr, sizeof(errstr)),
                RD_KAFKA_CONF_OK)
          << errstr;
    }
    rk_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
    EXPECT_NE(rk_, nullptr) << errstr;
    rd_kafka_poll_set_consumer(rk_);
    rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, topic.c_str(), RD_KAFKA_PARTITION_UA);
    EXPECT_EQ(rd_kafka_subscribe(rk_, topics), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_topic_partition_list_destroy(topics);
  }
  ~GroupConsumer() { Close(); }

  void Close() {
    if (rk_ == nullptr) return;
    rd_kafka_consumer_close(rk_);
    rd_kafka_destroy(rk_);
    rk_ = nullptr;
  }

  // Polls once; records messages by (partition, offset).
  void Poll(int timeout_ms) {
    rd_kafka_message_t* msg = rd_kafka_consumer_poll(rk_, timeout_ms);
    if (msg == nullptr) return;
    if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      received.push_back({msg->partition, msg->offset});
      values.emplace_back(static_cast<const char*>(msg->payload), msg->len);
    }
    rd_kafka_message_destroy(msg);
  }

  std::set<int32_t> Assignment() const {
    std::set<int32_t> partitions;
    rd_kafka_topic_partition_list_t* list = nullptr;
    if (rd_kafka_assignment(rk_, &list) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      for (int i = 0; i < list->cnt; ++i) partitions.insert(list->elems[i].partition);
      rd_kafka_topic_partition_list_destroy(list);
    }
    return partitions;
  }

  rd_kafka_resp_err_t CommitSync() { return rd_kafka_commit(rk_, nullptr, /*async=*/0); }

  // Committed offset of `partition` as stored by the group coordinator.
  int64_t Committed(const std::string& topic, int32_t partition) {
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(list, topic.c_str(), partition);
    int64_t offset = -1000;
    if (rd_kafka_committed(rk_, list, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      offset = list->elems[0].offset;
    }
    rd_kafka_topic_partition_list_destroy(list);
    return offset;
  }

  std::vector<std::pair<int32_t, int64_t>> received;
  std::vector<std::string> values;

 private:
  rd_kafka_t* rk_ = nullptr;
};

TEST(DevKafkaTest, ConsumerGroupWithTwoMembersSplitsPartitionsAndRebalances) {
  auto kafka = StartDevKafka(3);
  ASSERT_NE(kafka, nullptr);
  const std::string topic = "leads.assigned";
  const std::string group = "leadflow-it-routing";
  GroupConsumer a(kafka->bootstrap(), group, topic);
  GroupConsumer b(kafka->bootstrap(), group, topic);

  auto poll_both_until = [&](auto condition, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (!condition() && Clock::now() < deadline) {
      a.Poll(50);
      b.Poll(50);
    }
    return condition();
  };
  auto split = [&] {
    std::set<int32_t> pa = a.Assignment();
    std::set<int32_t> pb = b.Assignment();
    std::set<int32_t> all = pa;
    all.insert(pb.begin(), pb.end());
    return !pa.empty() && !pb.empty() && all.size() == 6 && pa.size() + pb.size() == 6;
  };
  ASSERT_TRUE(poll_both_until(split, 30s))
      << "assignments: a=" << a.Assignment().size() << " b=" << b.Assignment().size();

  KafkaTestClient client(kafka->bootstrap());
  constexpr int kCount = 60;
  for (int i = 0; i < kCount; ++i) {
    ASSERT_TRUE(client.ProduceSync(topic, "lead-" + std::to_string(i), std::to_string(i)).ok);
  }
  ASSERT_TRUE(poll_both_until([&] { return a.received.size() + b.received.size() >= kCount; }, 20s))
      << "received a=" << a.received.size() << " b=" << b.received.size();
  EXPECT_FALSE(a.received.empty());
  EXPECT_FALSE(b.received.empty());
  const std::set<int32_t> assigned_a = a.Assignment();
  std::set<std::pair<int32_t, int64_t>> unique;
  for (const auto& r : a.received) {
    EXPECT_TRUE(assigned_a.count(r.first)) << "a got a message of an unassigned partition";
    unique.insert(r);
  }
  for (const auto& r : b.received) {
    EXPECT_FALSE(assigned_a.count(r.first)) << "both members consumed partition " << r.first;
    unique.insert(r);
  }
  EXPECT_EQ(unique.size(), static_cast<std::size_t>(kCount));

  // Offset commits are stored by the mock's group coordinator.
  ASSERT_EQ(a.CommitSync(), RD_KAFKA_RESP_ERR_NO_ERROR);
  ASSERT_EQ(b.CommitSync(), RD_KAFKA_RESP_ERR_NO_ERROR);
  const int32_t some_partition = a.received.front().first;
  int64_t last_offset = -1;
  for (const auto& r : a.received) {
    if (r.first == some_partition) last_offset = std::max(last_offset, r.second);
  }
  EXPECT_EQ(a.Committed(topic, some_partition), last_offset + 1);

  // When one member leaves, the other takes over every partition.
  b.Close();
  const auto deadline = Clock::now() + 30s;
  while (a.Assignment().size() != 6 && Clock::now() < deadline) a.Poll(50);
  EXPECT_EQ(a.Assignment().size(), 6u);
  a.Close();
  EXPECT_EQ(kafka->Stop(), 0);
}

// Aborts the test with librdkafka's error text if `error` is set.
#define ASSERT_NO_TXN_ERROR(expr)                                        \
  do {                                                                   \
    rd_kafka_error_t* txn_error = (expr);                                \
    if (txn_error != nullptr) {                                          \
      std::string text = rd_kafka_error_string(txn_error);               \
      rd_kafka_error_destroy(txn_error);                                 \
      FAIL() << #expr << ": " << text;                                   \
    }                                                                    \
  } while (0)

TEST(DevKafkaTest, TransactionalProducerCommitsAndAbortsButMockDoesNotHideAborted) {
  auto kafka = StartDevKafka(3);
  ASSERT_NE(kafka, nullptr);
  const std::string topic = "nurture.touches";
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  ASSERT_EQ(rd_kafka_conf_set(conf, "bootstrap.servers", kafka->bootstrap().c_str(), errstr,
                              sizeof(errstr)),
            RD_KAFKA_CONF_OK);
  ASSERT_EQ(rd_kafka_conf_set(conf, "transactional.id", "leadflow-it-txn", errstr,
                              sizeof(errstr)),
            RD_KAFKA_CONF_OK);
  rd_kafka_t* producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  ASSERT_NE(producer, nullptr) << errstr;
  std::unique_ptr<rd_kafka_t, void (*)(rd_kafka_t*)> guard(producer, rd_kafka_destroy);

  auto produce = [&](const std::string& value) {
    return rd_kafka_producev(producer, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(0),
                             RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                             RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
  };
  ASSERT_NO_TXN_ERROR(rd_kafka_init_transactions(producer, 15000));
  ASSERT_NO_TXN_ERROR(rd_kafka_begin_transaction(producer));
  for (int i = 0; i < 5; ++i) ASSERT_EQ(produce("committed-" + std::to_string(i)), 0);
  ASSERT_NO_TXN_ERROR(rd_kafka_commit_transaction(producer, 15000));
  ASSERT_NO_TXN_ERROR(rd_kafka_begin_transaction(producer));
  for (int i = 0; i < 3; ++i) ASSERT_EQ(produce("aborted-" + std::to_string(i)), 0);
  ASSERT_EQ(rd_kafka_flush(producer, 10000), RD_KAFKA_RESP_ERR_NO_ERROR);
  ASSERT_NO_TXN_ERROR(rd_kafka_abort_transaction(producer, 15000));

  // Committed records are visible, in order.
  KafkaTestClient committed(kafka->bootstrap(), {}, {{"isolation.level", "read_committed"}});
  std::vector<KafkaMessage> messages = committed.ConsumeAll(topic, 8);
  ASSERT_GE(messages.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(messages[static_cast<std::size_t>(i)].value, "committed-" + std::to_string(i));
  }
  // Known limitation of the librdkafka 2.0.2 mock: it keeps no aborted-
  // transaction index (Fetch returns no AbortedTransactions), so aborted
  // records are delivered even to read_committed consumers. Asserted so that
  // a librdkafka upgrade that fixes it is noticed.
  EXPECT_EQ(messages.size(), 8u) << "mock now hides aborted records? update the docs";
  EXPECT_EQ(committed.CountMessages(topic), 8);
  KafkaTestClient uncommitted(kafka->bootstrap(), {}, {{"isolation.level", "read_uncommitted"}});
  EXPECT_EQ(uncommitted.CountMessages(topic), 8);
  guard.reset();
  EXPECT_EQ(kafka->Stop(), 0);
}

// --- A broker's limits ---------------------------------------------------------

// A real broker refuses a record batch over its message.max.bytes (default
// 1,048,588) with MESSAGE_TOO_LARGE, even from a client that raised its own
// limit; librdkafka's mock cluster alone accepted a 10 MB record.
TEST(DevKafkaTest, ARecordOverTheBrokerMessageMaxBytesIsRefusedLikeAKafkaBroker) {
  auto kafka = StartDevKafka(1);
  ASSERT_NE(kafka, nullptr);
  KafkaTestClient client(kafka->bootstrap(), {{"message.max.bytes", "20000000"}});
  const std::string topic = "sales.feedback";
  DeliveryResult huge = client.ProduceSync(topic, "k", std::string(10 * 1000 * 1000, 'x'), {}, 0, 30s);
  EXPECT_FALSE(huge.ok);
  EXPECT_EQ(huge.error_code, kMessageSizeTooLarge) << huge.error;
  // Just under the limit (with the batch's own ~80 bytes), and small: kept.
  DeliveryResult large = client.ProduceSync(topic, "k", std::string(1000 * 1000, 'y'), {}, 0, 30s);
  EXPECT_TRUE(large.ok) << large.error;
  DeliveryResult small = client.ProduceSync(topic, "k", "after", {}, 0, 30s);
  EXPECT_TRUE(small.ok) << small.error;
  std::vector<KafkaMessage> messages = client.ConsumeAll(topic, 2);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].value.size(), 1000u * 1000u);
  EXPECT_EQ(messages[1].value, "after");
  EXPECT_EQ(client.CountMessages(topic), 2);
  EXPECT_THAT(kafka->process().ReadStderr(), HasSubstr("(MESSAGE_TOO_LARGE)"));
}

// librdkafka's mock cluster kept at most 5 MiB (or 100,000 batches) per
// partition and dropped the oldest batches silently; devkafka keeps them all.
TEST(DevKafkaTest, MoreThanFiveMebibytesInOnePartitionIsAllStillReadable) {
  auto kafka = StartDevKafka(1);
  ASSERT_NE(kafka, nullptr);
  KafkaTestClient client(kafka->bootstrap(), {}, {{"max.partition.fetch.bytes", "4194304"}});
  const std::string topic = "leads.assigned";
  constexpr int kRecords = 80;  // 80 x 100 KB = 8 MB in partition 0
  for (int i = 0; i < kRecords; ++i) {
    std::string value(100 * 1000, static_cast<char>('a' + i % 26));
    value.replace(0, std::to_string(i).size(), std::to_string(i));
    DeliveryResult r = client.ProduceSync(topic, "k", value, {}, 0, 30s);
    ASSERT_TRUE(r.ok) << i << ": " << r.error;
    ASSERT_EQ(r.offset, i);
  }
  std::vector<KafkaMessage> messages = client.ConsumeAll(topic, kRecords, 60s);
  ASSERT_EQ(messages.size(), static_cast<size_t>(kRecords));
  for (int i = 0; i < kRecords; ++i) {
    EXPECT_EQ(messages[static_cast<size_t>(i)].offset, i);
    EXPECT_EQ(messages[static_cast<size_t>(i)].value.substr(0, std::to_string(i).size()),
              std::to_string(i));
  }
  EXPECT_EQ(client.CountMessages(topic), kRecords);
}

// Reads `partition` of `topic` from `offset` with a plain assigned consumer
// until `count` records or 30 s; returns (offset, value) pairs.
std::vector<std::pair<int64_t, std::string>> ReadFrom(const std::string& bootstrap,
                                                      const std::string& topic, int32_t partition,
                                                      int64_t offset, std::size_t count) {
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), errstr, sizeof(errstr));
  rd_kafka_conf_set(conf, "group.id", "devkafka-read-from", errstr, sizeof(errstr));
  rd_kafka_conf_set(conf, "enable.auto.commit", "false", errstr, sizeof(errstr));
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
  EXPECT_NE(rk, nullptr) << errstr;
  if (rk == nullptr) return {};
  rd_kafka_poll_set_consumer(rk);
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(list, topic.c_str(), partition)->offset = offset;
  EXPECT_EQ(rd_kafka_assign(rk, list), RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_topic_partition_list_destroy(list);
  std::vector<std::pair<int64_t, std::string>> records;
  const auto deadline = Clock::now() + 30s;
  while (records.size() < count && Clock::now() < deadline) {
    rd_kafka_message_t* msg = rd_kafka_consumer_poll(rk, 200);
    if (msg == nullptr) continue;
    if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      records.emplace_back(msg->offset,
                           std::string(static_cast<const char*>(msg->payload), msg->len));
    }
    rd_kafka_message_destroy(msg);
  }
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return records;
}

// librdkafka's mock answers a Fetch by walking the partition's list of record
// batches from its head, one entry per batch, and returns one entry; with every
// record kept, that walk grew all run long (bench/RESULTS.md, issue 21).
// devkafka joins old batches into segments (tools/devkafka/mock_log_segments.h):
// fewer entries, and every record still readable, from the start, from an
// offset inside a segment, and at the tail.
TEST(DevKafkaTest, OldBatchesAreJoinedIntoSegmentsAndEveryRecordStaysReadable) {
  auto kafka = StartDevKafka(1);
  ASSERT_NE(kafka, nullptr);
  ASSERT_EQ(StatusJson(*kafka)["log_segments"]["enabled"], true);
  KafkaTestClient client(kafka->bootstrap(), {{"linger.ms", "0"}});
  const std::string topic = "deals.stalls";
  constexpr int kRecords = 1500;  // one batch each: ProduceSync waits for each
  for (int i = 0; i < kRecords; ++i) {
    DeliveryResult r = client.ProduceSync(topic, "k", "record-" + std::to_string(i), {}, 0, 30s);
    ASSERT_TRUE(r.ok) << i << ": " << r.error;
    ASSERT_EQ(r.offset, i);
  }
  // 1,500 small batches: joined into segments as they age, and adjacent
  // segments merged, so a fetch walks a few dozen entries, not 1,500.
  nlohmann::json segments;
  for (auto deadline = Clock::now() + 10s; Clock::now() < deadline;) {
    segments = StatusJson(*kafka)["log_segments"];
    if (segments["longest_log"].get<int64_t>() <= 40) break;
    // The pass runs on requests: one more, to another partition.
    client.ProduceSync(topic, "k", "nudge", {}, 1, 30s);
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_LE(segments["longest_log"], 40) << segments.dump();
  EXPECT_GE(segments["batches_merged"], 1400) << segments.dump();
  EXPECT_GT(segments["segments_merged"], 0) << segments.dump();

  auto expect_from = [&](int64_t from) {
    const auto records = ReadFrom(kafka->bootstrap(), topic, 0, from,
                                  static_cast<std::size_t>(kRecords - from));
    ASSERT_EQ(records.size(), static_cast<std::size_t>(kRecords - from)) << "from " << from;
    for (std::size_t i = 0; i < records.size(); ++i) {
      const int64_t want = from + static_cast<int64_t>(i);
      ASSERT_EQ(records[i].first, want) << "from " << from;
      ASSERT_EQ(records[i].second, "record-" + std::to_string(want)) << "from " << from;
    }
  };
  for (int64_t from : {0, 1, 700, 1024, 1490, 1499}) expect_from(from);
}

// --- Control interface, topics file, shutdown ---------------------------------

TEST(DevKafkaTest, ControlInterfaceValidatesRequestsAndCreatesTopics) {
  auto kafka = StartDevKafka(2);
  ASSERT_NE(kafka, nullptr);
  auto expect_bad = [&](const std::string& method, const std::string& path,
                        const std::string& body, const std::string& field) {
    testing::ControlResponse response = kafka->Control(method, path, body);
    EXPECT_EQ(response.status, 400) << method << " " << path << " " << body;
    nlohmann::json json = nlohmann::json::parse(response.body, nullptr, false);
    EXPECT_EQ(json.value("field", ""), field) << response.body;
  };
  expect_bad("POST", "/errors", R"({"errors":[6]})", "api_key");
  expect_bad("POST", "/errors", R"({"api_key":0,"errors":[]})", "errors");
  expect_bad("POST", "/errors", R"({"api_key":0,"errors":[6],"broker":3})", "broker");
  expect_bad("POST", "/errors", R"({"api_key":0,"errors":[6],"rtt_ms":5})", "rtt_ms");
  expect_bad("POST", "/errors", "{nope", "body");
  expect_bad("DELETE", "/errors", "", "api_key");
  expect_bad("POST", "/brokers/3/down", "", "broker");
  expect_bad("POST", "/brokers/x/up", "", "broker");
  expect_bad("POST", "/topics", R"({"name":"bad name","partitions":1})", "name");
  expect_bad("POST", "/topics", R"({"name":"ok"})", "partitions");
  EXPECT_EQ(kafka->Control("GET", "/nope").status, 404);

  std::string error;
  EXPECT_FALSE(kafka->CreateTopic("leads.submitted", 2, &error));
  EXPECT_THAT(error, HasSubstr("409"));
  ASSERT_TRUE(kafka->CreateTopic("it.extra", 4, &error)) << error;
  KafkaTestClient client(kafka->bootstrap());
  EXPECT_EQ(client.PartitionLeaders("it.extra").size(), 4u);
  ASSERT_TRUE(client.ProduceSync("it.extra", "k", "v").ok);

  nlohmann::json status = StatusJson(*kafka);
  EXPECT_EQ(status["bootstrap"], kafka->bootstrap());
  EXPECT_EQ(status["brokers"].size(), 2u);
  EXPECT_EQ(status["replication_factor"], 2);
  EXPECT_EQ(status["topics"].size(), kProjectTopics.size() + 1);
  EXPECT_EQ(status["topics"].back(), (nlohmann::json{{"name", "it.extra"}, {"partitions", 4}}));
  EXPECT_EQ(kafka->Stop(), 0);
}

TEST(DevKafkaTest, TopicsFileReplacesTheDefaultList) {
  auto dir = TempDir::Create("topics");
  ASSERT_NE(dir, nullptr);
  std::ofstream(dir->File("topics.txt")) << "# test topics\ncustom.a 2\n\ncustom.b 1 # one\n";
  DevKafkaOptions options;
  options.topics_file = dir->File("topics.txt");
  options.quiet = true;
  auto kafka = StartDevKafka(1, options);
  ASSERT_NE(kafka, nullptr);
  EXPECT_EQ(kafka->process().ReadStderr(), "") << "--quiet";
  nlohmann::json status = StatusJson(*kafka);
  EXPECT_EQ(status["topics"], nlohmann::json::parse(R"([{"name":"custom.a","partitions":2},
                                                         {"name":"custom.b","partitions":1}])"));
  KafkaTestClient client(kafka->bootstrap());
  EXPECT_EQ(client.PartitionLeaders("custom.a").size(), 2u);
  EXPECT_EQ(kafka->Stop(), 0);

  std::ofstream(dir->File("bad.txt")) << "ok 1\nbroken\n";
  options.topics_file = dir->File("bad.txt");
  std::string error;
  EXPECT_EQ(DevKafka::Start(options, &error), nullptr);
  EXPECT_THAT(error, HasSubstr("line 2"));
}

TEST(DevKafkaTest, SigtermAndSigintExitZeroWithConnectedClients) {
  for (int signal_number : {SIGTERM, SIGINT}) {
    auto start2 = Clock::now();
    auto kafka = StartDevKafka(3);
    ASSERT_NE(kafka, nullptr);
    {
      KafkaTestClient client(kafka->bootstrap());
      fprintf(stderr, "TIMING start %ld ms\n", (long)std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start2).count());
      ASSERT_TRUE(client.ProduceSync("leads.accepted", "k", "v").ok);
      fprintf(stderr, "TIMING produce %ld ms\n", (long)std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start2).count());
      const auto start = Clock::now();
      ASSERT_TRUE(kafka->process().Signal(signal_number));
      EXPECT_EQ(kafka->process().WaitForExit(10s), 0)
          << "signal " << signal_number << ": " << kafka->process().Describe();
      EXPECT_LT(Clock::now() - start, 5s);
      fprintf(stderr, "TIMING exit %ld ms\n", (long)std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count());
      start2 = Clock::now();
    }
    fprintf(stderr, "TIMING client dtor %ld ms\n", (long)std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start2).count());
    EXPECT_EQ(kafka->Stop(), 0) << "Stop() after exit reports the same code";
    EXPECT_THAT(kafka->process().ReadStderr(), HasSubstr("shutting down"));
  }
}

TEST(DevKafkaTest, BinaryHelpAndUsageErrors) {
  ChildProcessOptions options;
  options.binary = DevKafka::BinaryPath();
  options.args = {"--help"};
  auto help = ChildProcess::Start(options);
  ASSERT_NE(help, nullptr);
  EXPECT_EQ(help->WaitForExit(10s), 0);
  EXPECT_THAT(help->ReadStdout(), HasSubstr("Usage: leadflow-devkafka"));

  options.args = {"--brokers", "zero"};
  auto bad = ChildProcess::Start(options);
  ASSERT_NE(bad, nullptr);
  EXPECT_EQ(bad->WaitForExit(10s), 2);
  EXPECT_THAT(bad->ReadStderr(), HasSubstr("--brokers"));
  EXPECT_EQ(bad->ReadStdout(), "");
}

// --- RedisServer fixture ------------------------------------------------------

std::unique_ptr<RedisServer> StartRedisOrSkip(RedisServerOptions options, bool* skip) {
  std::string error;
  auto redis = RedisServer::Start(options, &error);
  *skip = redis == nullptr && error.find("cannot find executable") != std::string::npos;
  if (!*skip) {
    EXPECT_NE(redis, nullptr) << error;
  }
  return redis;
}

TEST(RedisServerTest, PingWorksAndRestartKeepsThePort) {
  bool skip = false;
  auto redis = StartRedisOrSkip({}, &skip);
  if (skip) GTEST_SKIP() << "redis-server is not installed";
  ASSERT_NE(redis, nullptr);
  EXPECT_TRUE(redis->Ping());
  EXPECT_EQ(redis->url(), "redis://127.0.0.1:" + std::to_string(redis->port()));
  EXPECT_EQ(redis->Command({"SET", "lead:1", "a b"}), "OK");
  EXPECT_EQ(redis->Command({"GET", "lead:1"}), "a b");
  EXPECT_EQ(redis->Command({"INCR", "n"}), "1");
  EXPECT_THAT(redis->Command({"NOSUCHCOMMAND"}).value_or(""), HasSubstr("-ERR"));

  const int port = redis->port();
  std::string error;
  ASSERT_TRUE(redis->Restart(&error)) << error;
  EXPECT_EQ(redis->port(), port);
  EXPECT_TRUE(redis->Ping());
  EXPECT_EQ(redis->Command({"GET", "lead:1"}), "(nil)") << "no persistence by default";
  EXPECT_EQ(redis->Stop(), 0);
  EXPECT_FALSE(redis->Ping());
}

TEST(RedisServerTest, AppendOnlyDataSurvivesRestart) {
  bool skip = false;
  RedisServerOptions options;
  options.appendonly = true;
  auto redis = StartRedisOrSkip(options, &skip);
  if (skip) GTEST_SKIP() << "redis-server is not installed";
  ASSERT_NE(redis, nullptr);
  EXPECT_EQ(redis->Command({"SET", "dedup:lead-7", "1"}), "OK");
  std::string error;
  ASSERT_TRUE(redis->Restart(&error)) << error;
  EXPECT_EQ(redis->Command({"GET", "dedup:lead-7"}), "1");
  EXPECT_EQ(redis->Stop(), 0);
}

}  // namespace
}  // namespace leadflow
