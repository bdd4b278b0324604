#include "tools/devkafka/control_requests.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace leadflow::devkafka {
namespace {

using ::testing::HasSubstr;

// Returns the field named by the error for `body`, or "<ok>".
std::string ErrorFieldFor(const std::string& body, int brokers = 3) {
  ErrorInjection injection;
  std::optional<RequestError> error = ParseErrorInjection(body, brokers, &injection);
  if (!error) return "<ok>";
  EXPECT_THAT(error->message, HasSubstr(error->field)) << "message must name the field";
  return error->field;
}

TEST(ParseErrorInjectionTest, ClusterWide) {
  ErrorInjection injection;
  ASSERT_EQ(ParseErrorInjection(R"({"api_key":0,"errors":[6,6,-195]})", 3, &injection),
            std::nullopt);
  EXPECT_EQ(injection.api_key, 0);
  EXPECT_EQ(injection.errors, (std::vector<int>{6, 6, -195}));
  EXPECT_EQ(injection.broker, std::nullopt);
  EXPECT_EQ(injection.rtt_ms, std::nullopt);
}

TEST(ParseErrorInjectionTest, PerBrokerWithRtt) {
  ErrorInjection injection;
  ASSERT_EQ(ParseErrorInjection(R"({"api_key":3,"errors":[0],"broker":2,"rtt_ms":250})", 3,
                                &injection),
            std::nullopt);
  EXPECT_EQ(injection.api_key, 3);
  EXPECT_EQ(injection.broker, 2);
  EXPECT_EQ(injection.rtt_ms, 250);
}

TEST(ParseErrorInjectionTest, NullOptionalFieldsMeanAbsent) {
  EXPECT_EQ(ErrorFieldFor(R"({"api_key":0,"errors":[1],"broker":null,"rtt_ms":null})"), "<ok>");
}

TEST(ParseErrorInjectionTest, NamesTheOffendingField) {
  EXPECT_EQ(ErrorFieldFor("not json"), "body");
  EXPECT_EQ(ErrorFieldFor("[1,2]"), "body");
  EXPECT_EQ(ErrorFieldFor(R"({"errors":[6]})"), "api_key");
  EXPECT_EQ(ErrorFieldFor(R"({"api_key":"0","errors":[6]})"), "api_key");
  EXPECT_EQ(ErrorFieldFor(R"({"api_key":1.5,"errors":[6]})"), "api_key");
  EXPECT_EQ(ErrorFieldFor(R"({"api_key":-1,"errors":[6]})"), "api_key");
  EXPECT_EQ(ErrorFieldFor(R"({"api_key":32768,"errors":[6]})"), "api_key");
  EXPECT_EQ(ErrorFieldFor(R"({"api_key":18446744073709551615,"errors":[6]})"), "api_key");
  EXPECT_EQ(ErrorFieldFor(R"({"api_key":0})"), "errors");
  EXPECT_EQ(ErrorFieldFor(R"({"api_key":0,"errors":6})"), "errors");
  EXPECT_EQ(ErrorFieldFor(R"({"api_key":0,"errors":[]})"), "errors");
  EXPECT_EQ(ErrorFieldFor(R"({"api_key":0,"errors":[6,"x"]})"), "errors[1]");
  EXPECT_EQ(ErrorFieldFor(R"({"api_key":0,"errors":[-200]})"), "errors[0]");
  EXPECT_EQ(ErrorFieldFor(R"({"api_key":0,"errors":[6],"broker":0})"), "broker");
  EXPECT_EQ(ErrorFieldFor(R"({"api_key":0,"errors":[6],"broker":4})"), "broker");
  EXPECT_EQ(ErrorFieldFor(R"({"api_key":0,"errors":[6],"broker":"1"})"), "broker");
  EXPECT_EQ(ErrorFieldFor(R"({"api_key":0,"errors":[6],"rtt_ms":10})"), "rtt_ms");
  EXPECT_EQ(ErrorFieldFor(R"({"api_key":0,"errors":[6],"broker":1,"rtt_ms":-1})"), "rtt_ms");
  EXPECT_EQ(ErrorFieldFor(R"({"api_key":0,"errors":[6],"brokr":1})"), "brokr");
}

TEST(ParseErrorInjectionTest, RejectsTooManyErrors) {
  nlohmann::json body = {{"api_key", 0},
                         {"errors", std::vector<int>(kMaxInjectedErrors + 1, 6)}};
  EXPECT_EQ(ErrorFieldFor(body.dump()), "errors");
}

TEST(ParseTopicCreationTest, Valid) {
  TopicCreation creation;
  ASSERT_EQ(ParseTopicCreation(R"({"name":"leads.extra","partitions":4})", &creation),
            std::nullopt);
  EXPECT_EQ(creation.name, "leads.extra");
  EXPECT_EQ(creation.partitions, 4);
}

TEST(ParseTopicCreationTest, NamesTheOffendingField) {
  auto field = [](const std::string& body) {
    TopicCreation creation;
    std::optional<RequestError> error = ParseTopicCreation(body, &creation);
    return error ? error->field : std::string("<ok>");
  };
  EXPECT_EQ(field("{"), "body");
  EXPECT_EQ(field(R"({"partitions":1})"), "name");
  EXPECT_EQ(field(R"({"name":7,"partitions":1})"), "name");
  EXPECT_EQ(field(R"({"name":"a b","partitions":1})"), "name");
  EXPECT_EQ(field(R"({"name":"ok"})"), "partitions");
  EXPECT_EQ(field(R"({"name":"ok","partitions":0})"), "partitions");
  EXPECT_EQ(field(R"({"name":"ok","partitions":"3"})"), "partitions");
  EXPECT_EQ(field(R"({"name":"ok","partitions":3,"replication":1})"), "replication");
}

TEST(ParseBrokerIdTest, Bounds) {
  int id = 0;
  EXPECT_EQ(ParseBrokerId("2", 3, &id), std::nullopt);
  EXPECT_EQ(id, 2);
  for (const char* bad : {"0", "4", "-1", "x", "", "1a"}) {
    std::optional<RequestError> error = ParseBrokerId(bad, 3, &id);
    ASSERT_TRUE(error.has_value()) << bad;
    EXPECT_EQ(error->field, "broker");
  }
}

TEST(ParseApiKeyParamTest, Bounds) {
  int16_t key = -1;
  EXPECT_EQ(ParseApiKeyParam(std::string("0"), &key), std::nullopt);
  EXPECT_EQ(key, 0);
  EXPECT_EQ(ParseApiKeyParam(std::string("32767"), &key), std::nullopt);
  EXPECT_EQ(key, 32767);
  for (std::optional<std::string> bad :
       {std::optional<std::string>(), std::optional<std::string>("x"),
        std::optional<std::string>("-1"), std::optional<std::string>("32768")}) {
    std::optional<RequestError> error = ParseApiKeyParam(bad, &key);
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->field, "api_key");
  }
}

TEST(ErrorResponseJsonTest, ContainsErrorAndField) {
  nlohmann::json body = nlohmann::json::parse(ErrorResponseJson({"api_key", "api_key: required"}));
  EXPECT_EQ(body["field"], "api_key");
  EXPECT_EQ(body["error"], "api_key: required");
}

}  // namespace
}  // namespace leadflow::devkafka
