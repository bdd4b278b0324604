// LEADFLOW_KAFKA_PROPERTIES reach librdkafka unchanged (SASL/SSL
// pass-through), and a rejected property never echoes a credential.
#include <gtest/gtest.h>

#include "common/kafka/consumer.h"
#include "common/kafka/producer.h"

namespace leadflow::kafka {
namespace {

const std::map<std::string, std::string> kSaslSsl = {
    {"security.protocol", "SASL_SSL"},
    {"sasl.mechanisms", "SCRAM-SHA-512"},
    {"sasl.username", "leadflow-routing"},
    {"sasl.password", "s3cret-pass"},
};

TEST(KafkaSecurityProperties, SaslSslSettingsAreAcceptedByProducerAndConsumer) {
  ProducerOptions p;
  p.brokers = "127.0.0.1:1";
  p.extra_properties = kSaslSsl;
  auto producer = MakeKafkaProducer(p, nullptr);
  ASSERT_TRUE(producer.ok()) << producer.status().message();
  ConsumerOptions c;
  c.brokers = "127.0.0.1:1";
  c.group_id = "leadflow-test";
  c.topics = {"leads.accepted"};
  c.extra_properties = kSaslSsl;
  auto consumer = MakeKafkaConsumer(c, nullptr);
  ASSERT_TRUE(consumer.ok()) << consumer.status().message();
}

TEST(KafkaSecurityProperties, ABadPropertyIsNamedButCredentialsAreNotEchoed) {
  ProducerOptions p;
  p.brokers = "127.0.0.1:1";
  p.extra_properties = {{"sasl.password.typo", "s3cret-pass"}};
  auto producer = MakeKafkaProducer(p, nullptr);
  ASSERT_FALSE(producer.ok());
  EXPECT_NE(producer.status().message().find("sasl.password.typo"), std::string::npos);
  EXPECT_EQ(producer.status().message().find("s3cret-pass"), std::string::npos)
      << producer.status().message();
  p.extra_properties = {{"security.protocol", "CARRIER_PIGEON"}};
  producer = MakeKafkaProducer(p, nullptr);
  ASSERT_FALSE(producer.ok());
  EXPECT_NE(producer.status().message().find("security.protocol=CARRIER_PIGEON"),
            std::string::npos);
}

}  // namespace
}  // namespace leadflow::kafka
