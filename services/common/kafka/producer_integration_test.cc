// KafkaProducer against a real devkafka over TCP: Flush() returns only once
// every enqueued message is acknowledged (from any thread), reports a broker
// outage as a timeout naming what is still in flight, and recovers after it.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "common/kafka/producer.h"
#include "services/common/testing/dev_kafka.h"
#include "services/common/testing/kafka_test_client.h"

namespace leadflow::kafka {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr char kTopic[] = "leads.accepted";

class ProducerIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    testing::DevKafkaOptions options;
    options.quiet = true;
    kafka_ = testing::DevKafka::Start(options, &error);
    ASSERT_NE(kafka_, nullptr) << error;
    ProducerOptions p;
    p.brokers = kafka_->bootstrap();
    auto made = MakeKafkaProducer(p, nullptr);
    ASSERT_TRUE(made.ok()) << made.status().message();
    producer_ = std::move(made.value());
    client_ = std::make_unique<testing::KafkaTestClient>(kafka_->bootstrap());
  }

  static OutgoingMessage Message(int i) {
    OutgoingMessage m;
    m.topic = kTopic;
    m.key = "key-" + std::to_string(i);
    m.payload = "payload-" + std::to_string(i);
    return m;
  }

  std::unique_ptr<testing::DevKafka> kafka_;
  std::unique_ptr<Producer> producer_;
  std::unique_ptr<testing::KafkaTestClient> client_;
};

TEST_F(ProducerIntegrationTest, FlushWithNothingEnqueuedSucceeds) {
  EXPECT_TRUE(producer_->Flush(seconds(5)).ok());
}

TEST_F(ProducerIntegrationTest, FlushReturnsOnceEveryMessageOfEveryThreadIsOnTheTopic) {
  constexpr int kThreads = 4;
  constexpr int kEach = 250;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) ASSERT_TRUE(producer_->Produce(Message(t * kEach + i)).ok());
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_TRUE(producer_->Flush(seconds(30)).ok());
  // Acknowledged means written: the topic holds all of them right away.
  EXPECT_EQ(client_->CountMessages(kTopic), kThreads * kEach);
}

TEST_F(ProducerIntegrationTest, BrokerOutageIsATimeoutNamingWhatIsInFlightAndThenRecovers) {
  ASSERT_TRUE(producer_->Produce(Message(0)).ok());
  ASSERT_TRUE(producer_->Flush(seconds(30)).ok());  // connected, metadata known
  std::string error;
  ASSERT_TRUE(kafka_->BrokerDown(1, &error)) << error;
  for (int i = 1; i <= 3; ++i) ASSERT_TRUE(producer_->Produce(Message(i)).ok());
  Status flushed = producer_->Flush(milliseconds(500));
  EXPECT_EQ(flushed.code(), StatusCode::kUnavailable);
  EXPECT_NE(flushed.message().find("kafka flush timed out with 3 messages in flight"),
            std::string::npos)
      << flushed.message();
  ASSERT_TRUE(kafka_->BrokerUp(1, &error)) << error;
  // The same messages are delivered once the broker is back (librdkafka
  // retries them), and the next flush sees them all acknowledged.
  EXPECT_TRUE(producer_->Flush(seconds(60)).ok());
  EXPECT_EQ(client_->CountMessages(kTopic), 4);
}

}  // namespace
}  // namespace leadflow::kafka
