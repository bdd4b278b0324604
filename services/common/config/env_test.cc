#include "common/config/env.h"

#include <cstdlib>

#include <gtest/gtest.h>

namespace leadflow::config {
namespace {

class EnvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* v : {"LEADFLOW_KAFKA_BROKERS", "LEADFLOW_REDIS_URL", "LEADFLOW_HTTP_PORT",
                          "LEADFLOW_ADMIN_PORT", "LEADFLOW_GRPC_PORT", "LEADFLOW_KAFKA_PROPERTIES", "LEADFLOW_TLS_CERT_FILE",
                          "LEADFLOW_TLS_KEY_FILE", "LEADFLOW_TLS_CLIENT_CA_FILE",
                          "LEADFLOW_TLS_CLIENT_AUTH", "LEADFLOW_HTTP_TLS_CERT_FILE",
                          "LEADFLOW_HTTP_TLS_KEY_FILE", "LEADFLOW_HTTP_TLS_CLIENT_CA_FILE",
                          "LEADFLOW_HTTP_TLS_CLIENT_AUTH"}) {
      unsetenv(v);
    }
  }
};

TEST_F(EnvTest, BrokersAreRequiredAndTheMessageNamesTheVariable) {
  auto c = LoadInfraConfigFromEnv();
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("LEADFLOW_KAFKA_BROKERS"), std::string::npos);
}

TEST_F(EnvTest, DefaultsApply) {
  setenv("LEADFLOW_KAFKA_BROKERS", "127.0.0.1:9092", 1);
  auto c = LoadInfraConfigFromEnv();
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->redis_url, "redis://127.0.0.1:6379");
  EXPECT_EQ(c->http_port, 8080);
  EXPECT_EQ(c->admin_port, 8081);
  EXPECT_EQ(c->grpc_port, 50051);
}

TEST_F(EnvTest, AdminPortIsValidatedAndMustDifferFromTheHttpPort) {
  setenv("LEADFLOW_KAFKA_BROKERS", "x:1", 1);
  setenv("LEADFLOW_ADMIN_PORT", "9o90", 1);
  auto bad = LoadInfraConfigFromEnv();
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("LEADFLOW_ADMIN_PORT=\"9o90\""), std::string::npos);

  setenv("LEADFLOW_ADMIN_PORT", "8080", 1);
  auto same = LoadInfraConfigFromEnv();
  ASSERT_FALSE(same.ok());
  EXPECT_NE(same.status().message().find("LEADFLOW_ADMIN_PORT=\"8080\" is also LEADFLOW_HTTP_PORT"),
            std::string::npos)
      << same.status().message();

  setenv("LEADFLOW_HTTP_PORT", "0", 1);
  setenv("LEADFLOW_ADMIN_PORT", "0", 1);
  auto any = LoadInfraConfigFromEnv();
  ASSERT_TRUE(any.ok()) << any.status().message();
  EXPECT_EQ(any->admin_port, 0);
}

TEST_F(EnvTest, BadPortIsRejectedWithItsValue) {
  setenv("LEADFLOW_KAFKA_BROKERS", "x:1", 1);
  setenv("LEADFLOW_HTTP_PORT", "80a", 1);
  auto c = LoadInfraConfigFromEnv();
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("LEADFLOW_HTTP_PORT=\"80a\""), std::string::npos);
}

TEST_F(EnvTest, KafkaPropertiesPassThrough) {
  setenv("LEADFLOW_KAFKA_BROKERS", "x:1", 1);
  setenv("LEADFLOW_KAFKA_PROPERTIES", "security.protocol=SASL_SSL;sasl.mechanism=SCRAM-SHA-512", 1);
  auto c = LoadInfraConfigFromEnv();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->kafka_properties.at("security.protocol"), "SASL_SSL");
  EXPECT_EQ(c->kafka_properties.at("sasl.mechanism"), "SCRAM-SHA-512");
}

TEST_F(EnvTest, TlsSettingsAreValidatedTogether) {
  setenv("LEADFLOW_KAFKA_BROKERS", "x:1", 1);
  setenv("LEADFLOW_TLS_CERT_FILE", "/etc/leadflow/tls.crt", 1);
  auto c = LoadInfraConfigFromEnv();
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("LEADFLOW_TLS_KEY_FILE"), std::string::npos);
  setenv("LEADFLOW_TLS_KEY_FILE", "/etc/leadflow/tls.key", 1);
  c = LoadInfraConfigFromEnv();
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->tls_client_auth, "");
  setenv("LEADFLOW_TLS_CLIENT_CA_FILE", "/etc/leadflow/ca.crt", 1);
  c = LoadInfraConfigFromEnv();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->tls_client_auth, "require") << "mutual TLS by default once a client CA is set";
  setenv("LEADFLOW_TLS_CLIENT_AUTH", "sometimes", 1);
  c = LoadInfraConfigFromEnv();
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("LEADFLOW_TLS_CLIENT_AUTH=\"sometimes\""), std::string::npos);
  unsetenv("LEADFLOW_TLS_CERT_FILE");
  unsetenv("LEADFLOW_TLS_KEY_FILE");
  unsetenv("LEADFLOW_TLS_CLIENT_AUTH");
  c = LoadInfraConfigFromEnv();
  ASSERT_FALSE(c.ok()) << "a client CA without a server certificate";
}

TEST_F(EnvTest, HttpTlsSettingsAreTheirOwnAndValidatedTheSameWay) {
  setenv("LEADFLOW_KAFKA_BROKERS", "x:1", 1);
  setenv("LEADFLOW_TLS_CERT_FILE", "/etc/leadflow/grpc.crt", 1);
  setenv("LEADFLOW_TLS_KEY_FILE", "/etc/leadflow/grpc.key", 1);
  auto c = LoadInfraConfigFromEnv();
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->http_tls_cert_file, "") << "gRPC's TLS does not switch HTTP to HTTPS";
  setenv("LEADFLOW_HTTP_TLS_KEY_FILE", "/etc/leadflow/http.key", 1);
  c = LoadInfraConfigFromEnv();
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("LEADFLOW_HTTP_TLS_CERT_FILE"), std::string::npos)
      << c.status().message();
  setenv("LEADFLOW_HTTP_TLS_CERT_FILE", "/etc/leadflow/http.crt", 1);
  setenv("LEADFLOW_HTTP_TLS_CLIENT_CA_FILE", "/etc/leadflow/ca.crt", 1);
  c = LoadInfraConfigFromEnv();
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->http_tls_cert_file, "/etc/leadflow/http.crt");
  EXPECT_EQ(c->http_tls_client_auth, "require") << "mutual TLS by default once a client CA is set";
  EXPECT_EQ(c->tls_client_auth, "") << "gRPC keeps its own client-auth setting";
  setenv("LEADFLOW_HTTP_TLS_CLIENT_AUTH", "optional", 1);
  c = LoadInfraConfigFromEnv();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->http_tls_client_auth, "optional");
  setenv("LEADFLOW_HTTP_TLS_CLIENT_AUTH", "never", 1);
  c = LoadInfraConfigFromEnv();
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("LEADFLOW_HTTP_TLS_CLIENT_AUTH=\"never\""),
            std::string::npos)
      << c.status().message();
}

TEST(ParsePropertiesTest, RejectsItemsWithoutEquals) {
  auto p = ParseProperties("a=1;broken", "VAR");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("\"broken\""), std::string::npos);
}

}  // namespace
}  // namespace leadflow::config
