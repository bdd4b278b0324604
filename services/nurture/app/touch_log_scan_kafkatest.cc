// kafka::ScanTopic (nurture's crash recovery reads nurture.touches with it)
// against a real devkafka cluster.
#include <gtest/gtest.h>

#include <set>

#include "common/kafka/topic_scan.h"
#include "common/kafka/topics.h"
#include "common/testing/dev_kafka.h"
#include "common/testing/kafka_test_client.h"

namespace leadflow::nurture {
namespace {

TEST(TouchLogScan, ReadsEveryRecordOfEveryPartitionUpToTheEnd) {
  std::string error;
  testing::DevKafkaOptions ko;
  ko.quiet = true;
  auto kafka = testing::DevKafka::Start(ko, &error);
  ASSERT_NE(kafka, nullptr) << error;
  testing::KafkaTestClient client(kafka->bootstrap());
  kafka::TopicScanOptions o;
  o.brokers = kafka->bootstrap();
  o.topic = topics::kNurtureTouches;
  o.timeout = std::chrono::seconds(20);

  std::set<std::string> want;
  for (int i = 0; i < 60; ++i) {
    const std::string v = "touch-" + std::to_string(i);
    ASSERT_TRUE(client.ProduceSync(o.topic, "contact-" + std::to_string(i % 13), v).ok);
    want.insert(v);
  }
  std::set<std::string> got;
  std::set<int32_t> partitions;
  ASSERT_TRUE(kafka::ScanTopic(o, [&](const kafka::ConsumedMessage& m) {
                got.insert(m.payload);
                partitions.insert(m.partition);
                EXPECT_EQ(m.topic, o.topic);
              }).ok());
  EXPECT_EQ(got, want);
  EXPECT_GT(partitions.size(), 1u) << "the scan must cover every partition";

  // A second scan sees what was added since, and nothing twice.
  ASSERT_TRUE(client.ProduceSync(o.topic, "contact-x", "touch-late").ok);
  int seen = 0;
  ASSERT_TRUE(kafka::ScanTopic(o, [&](const kafka::ConsumedMessage&) { ++seen; }).ok());
  EXPECT_EQ(seen, 61);
}

}  // namespace
}  // namespace leadflow::nurture
