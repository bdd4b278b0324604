// The one-pass JSON reader keeps what intake accepted, and how it named
// problems, when it ran a checking pass and then protobuf's JSON mapping.
// Every expectation below was produced by that former parser.
#include "intake/wire/submission_json_reader.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace leadflow::intake {
namespace {

using leadflow::common::v1::ReasonCode;
using leadflow::intake::v1::LeadSubmission;

LeadSubmission Accepted(const std::string& json) {
  LeadSubmission lead;
  const auto problem = ReadSubmissionJson(json, &lead);
  EXPECT_FALSE(problem.has_value()) << json << " -> " << problem->message;
  return lead;
}

struct Refusal {
  const char* name;
  std::string json;
  ReasonCode reason;
  std::string path;
  std::string message;
};
void PrintTo(const Refusal& r, std::ostream* os) { *os << r.name; }

class RefusalTest : public ::testing::TestWithParam<Refusal> {};

TEST_P(RefusalTest, ReasonPathAndMessage) {
  const Refusal& r = GetParam();
  LeadSubmission lead;
  const auto problem = ReadSubmissionJson(r.json, &lead);
  ASSERT_TRUE(problem.has_value()) << r.json;
  EXPECT_EQ(problem->reason, r.reason) << problem->message;
  EXPECT_EQ(problem->path, r.path) << problem->message;
  EXPECT_EQ(problem->message, r.message);
}

const auto kMalformed = ReasonCode::MALFORMED_PAYLOAD;
const std::string kNotLead = "payload is not valid JSON for leadflow.intake.v1.LeadSubmission";

INSTANTIATE_TEST_SUITE_P(
    Table, RefusalTest,
    ::testing::Values(
        Refusal{"int_string_with_space", R"({"headcount":" 150"})", kMalformed, "headcount",
                "invalid value for field 'headcount'"},
        Refusal{"int_above_int64", R"({"headcount":9223372036854775808})", kMalformed, "headcount",
                "invalid value for field 'headcount'"},
        Refusal{"fractional_int", R"({"headcount":1.5})", kMalformed, "headcount",
                "headcount: must be a whole number in range"},
        Refusal{"double_overflow_is_syntax", R"({"headcount":1e400})", kMalformed, "headcount",
                "headcount: not well-formed UTF-8 JSON at or after this field"},
        Refusal{"unknown_enum_number_in_string", R"({"decision_role":"77"})", kMalformed,
                "decision_role", "invalid value for field 'decision_role'"},
        Refusal{"bad_timestamp", R"({"submitted_at":"2026-11-20"})", kMalformed, "submitted_at",
                "invalid value for field 'submitted_at'"},
        Refusal{"string_for_bool", R"({"consent":"true"})", kMalformed, "consent",
                "consent: must be true or false"},
        Refusal{"answers_not_object", R"({"answers":["a"]})", kMalformed, "answers",
                "answers: must be an object of strings"},
        Refusal{"answer_not_string", R"({"answers":{"k":[]}})", kMalformed, "answers.k",
                "answers.k: must be a string"},
        Refusal{"answer_too_deep", R"({"answers":{"k":[[1]]}})", kMalformed, "answers.k",
                "answers.k: value is nested too deeply"},
        Refusal{"unknown_too_deep", R"({"x":{"y":{"z":1}}})", kMalformed, "x.y",
                "x.y: value is nested too deeply"},
        Refusal{"top_level_too_deep", "[[[1]]]", kMalformed, "", "value is nested too deeply"},
        Refusal{"not_an_object", "[1]", kMalformed, "",
                "payload must be a JSON object (a LeadSubmission)"},
        Refusal{"lone_low_surrogate", R"({"full_name":"\udc00"})", kMalformed, "full_name",
                "full_name: not well-formed UTF-8 JSON at or after this field"},
        Refusal{"missing_comma", R"({"email":"a" "phone":"b"})", kMalformed, "email",
                "email: not well-formed UTF-8 JSON at or after this field"},
        // Several problems: wrong types and unknown names first, the
        // alphabetically first member; then the last value that does not convert.
        Refusal{"wrong_types_alphabetical", R"({"phone":1,"email":2})", kMalformed, "email",
                "email: must be a string"},
        Refusal{"unknown_before_conversion", R"({"headcount":"x","zzz":1})",
                ReasonCode::UNKNOWN_SCHEMA, "zzz",
                "zzz: unknown field 'zzz' in LeadSubmission JSON"},
        Refusal{"last_conversion_wins", R"({"headcount":"x","expected_deal_rub":"y"})", kMalformed,
                "expected_deal_rub", "invalid value for field 'expected_deal_rub'"},
        // What protobuf's JSON parser refused after the checking pass.
        Refusal{"repeated_answer_key", R"({"answers":{"a":"x","a":"y"}})", kMalformed, "",
                kNotLead},
        Refusal{"byte_order_mark", "\xEF\xBB\xBF{\"email\":\"a\"}", kMalformed, "", kNotLead},
        Refusal{"bytes_after_nul", std::string("{\"email\":\"a\"}\0{}", 15), kMalformed, "",
                kNotLead}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(SubmissionJsonReaderTest, BothSpellingsAndLastRepeatWins) {
  const auto lead = Accepted(R"({"source_id":"a","sourceId":"b","email":"x","email":null})");
  EXPECT_EQ(lead.source_id(), "b");
  EXPECT_EQ(lead.email(), "x");  // null leaves a field as it is
}

TEST(SubmissionJsonReaderTest, NumbersAsProtobufMappedThem) {
  const auto lead = Accepted(
      R"({"headcount":"150","expectedDealRub":-7,"it_budget_rub":1e3,"revenueGrowthPct":"1.5"})");
  EXPECT_EQ(lead.headcount(), 150);
  EXPECT_EQ(lead.expected_deal_rub(), -7);
  EXPECT_EQ(lead.it_budget_rub(), 1000);
  EXPECT_DOUBLE_EQ(lead.revenue_growth_pct(), 1.5);
  EXPECT_TRUE(std::isnan(Accepted(R"({"revenue_growth_pct":"NaN"})").revenue_growth_pct()));
}

TEST(SubmissionJsonReaderTest, EnumsByNameNumberOrNumberString) {
  const auto lead = Accepted(R"({"buyer_class":"TECHNICAL","decisionRole":"1"})");
  EXPECT_EQ(lead.buyer_class(), leadflow::common::v1::TECHNICAL);
  EXPECT_EQ(lead.decision_role(), leadflow::common::v1::DECISION_MAKER);
  // An unknown number is kept (proto3 open enum); validation refuses it.
  EXPECT_EQ(static_cast<int>(Accepted(R"({"decision_role":77})").decision_role()), 77);
}

TEST(SubmissionJsonReaderTest, TimestampWithOffsetAndFraction) {
  const auto lead = Accepted(R"({"submitted_at":"2026-11-20T13:00:00.5+03:00"})");
  EXPECT_EQ(lead.submitted_at().seconds(), 1795168800);
  EXPECT_EQ(lead.submitted_at().nanos(), 500000000);
}

TEST(SubmissionJsonReaderTest, EscapesDecodeToUtf8) {
  EXPECT_EQ(Accepted(R"({"full_name":"\u00e9\ud83d\ude00\/\t"})").full_name(),
            "\xC3\xA9\xF0\x9F\x98\x80/\t");
}

TEST(SubmissionJsonReaderTest, AnswersAcrossTwoMembersMerge) {
  const auto lead = Accepted(R"({"answers":{"a":"x"},"answers":{"a":"y","b":"z"}})");
  EXPECT_EQ(lead.answers().at("a"), "y");
  EXPECT_EQ(lead.answers().at("b"), "z");
  EXPECT_FALSE(Accepted(R"({"submitted_at":null,"answers":null})").has_submitted_at());
}

}  // namespace
}  // namespace leadflow::intake
