#include "intake/wire/submission_parser.h"

#include <gtest/gtest.h>

#include "intake/testing/intake_test_util.h"

namespace leadflow::intake {
namespace {

using leadflow::common::v1::ReasonCode;

ReasonCode ReasonOf(const Status& s) { return static_cast<ReasonCode>(s.reason()); }

TEST(ContentTypeTest, Formats) {
  EXPECT_EQ(FormatFromContentType(""), PayloadFormat::kJson);
  EXPECT_EQ(FormatFromContentType("json"), PayloadFormat::kJson);
  EXPECT_EQ(FormatFromContentType("Application/JSON; charset=utf-8"), PayloadFormat::kJson);
  EXPECT_EQ(FormatFromContentType("protobuf"), PayloadFormat::kProtobuf);
  EXPECT_EQ(FormatFromContentType("application/x-protobuf"), PayloadFormat::kProtobuf);
  EXPECT_EQ(FormatFromContentType("text/xml"), PayloadFormat::kUnknown);
}

TEST(SubmissionParserTest, JsonSnakeAndCamelCaseAndEnumNames) {
  const std::string json = R"({"source_id":"web-form","email":"a@example.ru","consent":true,
    "buyerClass":"ECONOMIC","decision_role":1,"headcount":"150","answers":{"budget":"5_20m"},
    "submitted_at":"2026-11-20T10:00:00Z"})";
  auto s = ParseSubmission(json, PayloadFormat::kJson, 4096);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->source_id(), "web-form");
  EXPECT_EQ(s->buyer_class(), leadflow::common::v1::ECONOMIC);
  EXPECT_EQ(s->decision_role(), leadflow::common::v1::DECISION_MAKER);
  EXPECT_EQ(s->headcount(), 150);
  EXPECT_EQ(s->answers().at("budget"), "5_20m");
  EXPECT_EQ(s->submitted_at().seconds(), 1795168800);
}

// HTTP bodies and leads.submitted records share this decoder: campaign_id
// arrives under either JSON spelling and in protobuf records.
TEST(SubmissionParserTest, CampaignIdInJsonAndProtobuf) {
  auto snake = ParseSubmission(R"({"source_id":"web-form","campaign_id":"spring-webinar-2026"})",
                               PayloadFormat::kJson, 4096);
  ASSERT_TRUE(snake.ok()) << snake.status().message();
  EXPECT_EQ(snake->campaign_id(), "spring-webinar-2026");
  auto camel = ParseSubmission(R"({"source_id":"web-form","campaignId":"cio_guide.v2"})",
                               PayloadFormat::kJson, 4096);
  ASSERT_TRUE(camel.ok()) << camel.status().message();
  EXPECT_EQ(camel->campaign_id(), "cio_guide.v2");
  auto wrong_type =
      ParseSubmission(R"({"source_id":"web-form","campaign_id":7})", PayloadFormat::kJson, 4096);
  EXPECT_EQ(ReasonOf(wrong_type.status()), leadflow::common::v1::MALFORMED_PAYLOAD);

  auto good = testutil::GoodSubmission();
  good.set_campaign_id("spring-webinar-2026");
  auto proto = ParseSubmission(good.SerializeAsString(), PayloadFormat::kProtobuf, 4096);
  ASSERT_TRUE(proto.ok()) << proto.status().message();
  EXPECT_EQ(proto->campaign_id(), "spring-webinar-2026");
}

struct BadPayload {
  const char* name;
  std::string payload;
  ReasonCode reason;
};

class BadJsonTest : public ::testing::TestWithParam<BadPayload> {};

TEST_P(BadJsonTest, ReasonAndNoValueEcho) {
  auto s = ParseSubmission(GetParam().payload, PayloadFormat::kJson, 256);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ReasonOf(s.status()), GetParam().reason) << s.status().message();
  EXPECT_EQ(s.status().message().find("secret"), std::string::npos) << s.status().message();
}

INSTANTIATE_TEST_SUITE_P(
    Table, BadJsonTest,
    ::testing::Values(
        BadPayload{"empty", "", leadflow::common::v1::MALFORMED_PAYLOAD},
        BadPayload{"blank", "  \n", leadflow::common::v1::MALFORMED_PAYLOAD},
        BadPayload{"truncated", R"({"email":"secret@x.ru")",
                   leadflow::common::v1::MALFORMED_PAYLOAD},
        BadPayload{"array", "[1,2]", leadflow::common::v1::MALFORMED_PAYLOAD},
        BadPayload{"string", R"("secret")", leadflow::common::v1::MALFORMED_PAYLOAD},
        BadPayload{"wrong_type", R"({"headcount":"secret@x.ru"})",
                   leadflow::common::v1::MALFORMED_PAYLOAD},
        BadPayload{"bad_enum_name", R"({"buyer_class":"secret"})",
                   leadflow::common::v1::MALFORMED_PAYLOAD},
        BadPayload{"unknown_field", R"({"source_id":"x","favourite_colour":"secret"})",
                   leadflow::common::v1::UNKNOWN_SCHEMA},
        BadPayload{"too_large", std::string(257, ' '), leadflow::common::v1::PAYLOAD_TOO_LARGE}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(SubmissionParserTest, UnknownFieldIsNamed) {
  auto s = ParseSubmission(R"({"favourite_colour":"x"})", PayloadFormat::kJson, 256);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("favourite_colour"), std::string::npos);
}

TEST(SubmissionParserTest, SizeLimitIsInclusive) {
  const std::string json = R"({"source_id":"x"})";
  EXPECT_TRUE(ParseSubmission(json, PayloadFormat::kJson, json.size()).ok());
  auto s = ParseSubmission(json, PayloadFormat::kJson, json.size() - 1);
  EXPECT_EQ(ReasonOf(s.status()), leadflow::common::v1::PAYLOAD_TOO_LARGE);
}

TEST(SubmissionParserTest, Protobuf) {
  auto good = testutil::GoodSubmission();
  auto s = ParseSubmission(good.SerializeAsString(), PayloadFormat::kProtobuf, 4096);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->email(), good.email());

  auto bad = ParseSubmission("\xFF\xFF\xFF", PayloadFormat::kProtobuf, 4096);
  EXPECT_EQ(ReasonOf(bad.status()), leadflow::common::v1::MALFORMED_PAYLOAD);

  // Field 99, varint 1: well-formed but unknown to this schema.
  std::string unknown = good.SerializeAsString() + std::string("\x98\x06\x01", 3);
  auto u = ParseSubmission(unknown, PayloadFormat::kProtobuf, 4096);
  EXPECT_EQ(ReasonOf(u.status()), leadflow::common::v1::UNKNOWN_SCHEMA);
}

TEST(SubmissionParserTest, UnknownContentType) {
  auto s = ParseSubmission("{}", PayloadFormat::kUnknown, 4096);
  EXPECT_EQ(ReasonOf(s.status()), leadflow::common::v1::UNKNOWN_SCHEMA);
}

}  // namespace
}  // namespace leadflow::intake
