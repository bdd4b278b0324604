#include "intake/domain/validation.h"

#include <gtest/gtest.h>

#include <functional>
#include <limits>

#include "intake/testing/intake_test_util.h"

namespace leadflow::intake {
namespace {

using leadflow::common::v1::ReasonCode;
using leadflow::intake::v1::LeadSubmission;

struct Expected {
  std::string field;
  ReasonCode reason;
};

struct ValidationCase {
  const char* name;
  std::function<void(LeadSubmission&)> mutate;
  std::vector<Expected> errors;  // empty = valid
};

class ValidationTableTest : public ::testing::TestWithParam<ValidationCase> {};

TEST_P(ValidationTableTest, ExactlyTheExpectedErrors) {
  auto policy = testutil::SmallPolicy();
  LeadSubmission s = testutil::GoodSubmission();
  GetParam().mutate(s);
  const auto got = ValidateSubmission(s, *policy);
  ASSERT_EQ(got.size(), GetParam().errors.size()) << [&] {
    std::string all;
    for (const auto& e : got) all += e.field_path() + ":" + e.message() + "; ";
    return all;
  }();
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].field_path(), GetParam().errors[i].field);
    EXPECT_EQ(got[i].reason(), GetParam().errors[i].reason) << got[i].field_path();
    EXPECT_FALSE(got[i].message().empty());
  }
}

const auto kInvalid = leadflow::common::v1::INVALID_FIELD;
const auto kMissing = leadflow::common::v1::MISSING_FIELD;

INSTANTIATE_TEST_SUITE_P(
    Table, ValidationTableTest,
    ::testing::Values(
        ValidationCase{"good", [](LeadSubmission&) {}, {}},
        ValidationCase{"email_only", [](LeadSubmission& s) { s.clear_phone(); }, {}},
        ValidationCase{"phone_only", [](LeadSubmission& s) { s.clear_email(); }, {}},
        ValidationCase{
            "twelve_digit_inn", [](LeadSubmission& s) { s.set_inn("500100732259"); }, {}},
        ValidationCase{"no_source",
                       [](LeadSubmission& s) { s.set_source_id("  "); },
                       {{"source_id", kMissing}}},
        ValidationCase{"no_contact",
                       [](LeadSubmission& s) {
                         s.clear_email();
                         s.set_phone(" ");
                       },
                       {{"email", kMissing}}},
        ValidationCase{"no_consent",
                       [](LeadSubmission& s) { s.set_consent(false); },
                       {{"consent", leadflow::common::v1::CONSENT_MISSING}}},
        ValidationCase{"bad_email",
                       [](LeadSubmission& s) { s.set_email("ivan@@example"); },
                       {{"email", kInvalid}}},
        ValidationCase{"bad_phone",
                       [](LeadSubmission& s) { s.set_phone("call me maybe"); },
                       {{"phone", kInvalid}}},
        ValidationCase{
            "inn_length", [](LeadSubmission& s) { s.set_inn("77070838"); }, {{"inn", kInvalid}}},
        ValidationCase{
            "inn_letters", [](LeadSubmission& s) { s.set_inn("77070838ab"); }, {{"inn", kInvalid}}},
        ValidationCase{"inn_checksum",
                       [](LeadSubmission& s) { s.set_inn("7707083894"); },
                       {{"inn", kInvalid}}},
        ValidationCase{"inn12_checksum",
                       [](LeadSubmission& s) { s.set_inn("500100732258"); },
                       {{"inn", kInvalid}}},
        ValidationCase{"too_long_name",
                       [](LeadSubmission& s) { s.set_full_name(std::string(65, 'x')); },
                       {{"full_name", kInvalid}}},
        ValidationCase{"cyrillic_at_limit_ok",
                       [](LeadSubmission& s) {
                         std::string v;
                         for (int i = 0; i < 64; ++i) v += "ж";  // 128 bytes, 64 chars
                         s.set_company_name(v);
                       },
                       {}},
        ValidationCase{"too_long_intent",
                       [](LeadSubmission& s) { s.set_intent(std::string(100, 'i')); },
                       {{"intent", kInvalid}}},
        ValidationCase{
            "too_long_answer",
            [](LeadSubmission& s) { (*s.mutable_answers())["need"] = std::string(65, 'n'); },
            {{"answers.need", kInvalid}}},
        ValidationCase{"bad_utf8_title",
                       [](LeadSubmission& s) { s.set_job_title("CEO\xFF"); },
                       {{"job_title", kInvalid}}},
        ValidationCase{"bad_utf8_email_only_one_error",
                       [](LeadSubmission& s) { s.set_email("a\xC3@example.ru"); },
                       {{"email", kInvalid}}},
        ValidationCase{"bad_utf8_answer_key",
                       [](LeadSubmission& s) { (*s.mutable_answers())["k\xFF"] = "v"; },
                       {{"answers", kInvalid}}},
        ValidationCase{"unknown_buyer_class",
                       [](LeadSubmission& s) {
                         s.set_buyer_class(static_cast<leadflow::common::v1::BuyerClass>(9));
                       },
                       {{"buyer_class", kInvalid}}},
        ValidationCase{"unknown_decision_role",
                       [](LeadSubmission& s) {
                         s.set_decision_role(static_cast<leadflow::common::v1::DecisionRole>(-3));
                       },
                       {{"decision_role", kInvalid}}},
        ValidationCase{"negative_numbers",
                       [](LeadSubmission& s) {
                         s.set_headcount(-1);
                         s.set_expected_deal_rub(-5);
                       },
                       {{"headcount", kInvalid}, {"expected_deal_rub", kInvalid}}},
        ValidationCase{"nan_growth",
                       [](LeadSubmission& s) {
                         s.set_revenue_growth_pct(std::numeric_limits<double>::quiet_NaN());
                       },
                       {{"revenue_growth_pct", kInvalid}}},
        ValidationCase{
            "negative_growth_ok", [](LeadSubmission& s) { s.set_revenue_growth_pct(-12.5); }, {}},
        ValidationCase{"known_campaign_ok",
                       [](LeadSubmission& s) { s.set_campaign_id("spring-webinar-2026"); }, {}},
        // Unknown is not malformed: it becomes "other" (normalization_test.cc).
        ValidationCase{"unknown_campaign_ok",
                       [](LeadSubmission& s) { s.set_campaign_id("Весенняя распродажа 2026!"); },
                       {}},
        ValidationCase{"campaign_surrounding_whitespace_ok",
                       [](LeadSubmission& s) { s.set_campaign_id(" spring-webinar-2026\n"); }, {}},
        ValidationCase{"campaign_control_character",
                       [](LeadSubmission& s) { s.set_campaign_id("spring\x01webinar"); },
                       {{"campaign_id", kInvalid}}},
        ValidationCase{"campaign_inner_newline",
                       [](LeadSubmission& s) { s.set_campaign_id("spring\nwebinar"); },
                       {{"campaign_id", kInvalid}}},
        ValidationCase{"campaign_c1_control",
                       [](LeadSubmission& s) { s.set_campaign_id("spring\xC2\x85webinar"); },
                       {{"campaign_id", kInvalid}}},
        ValidationCase{"campaign_too_long",  // SmallConfig's max_string_length is 64
                       [](LeadSubmission& s) { s.set_campaign_id(std::string(65, 'c')); },
                       {{"campaign_id", kInvalid}}},
        ValidationCase{"campaign_bad_utf8",
                       [](LeadSubmission& s) { s.set_campaign_id("spring\xFF"); },
                       {{"campaign_id", kInvalid}}},
        ValidationCase{"bad_timestamp",
                       [](LeadSubmission& s) { s.mutable_submitted_at()->set_nanos(-1); },
                       {{"submitted_at", kInvalid}}},
        ValidationCase{"many_problems_at_once",
                       [](LeadSubmission& s) {
                         s.clear_source_id();
                         s.set_email("bad");
                         s.set_consent(false);
                         s.set_inn("1");
                       },
                       {{"source_id", kMissing},
                        {"email", kInvalid},
                        {"consent", leadflow::common::v1::CONSENT_MISSING},
                        {"inn", kInvalid}}}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(ValidationTest, MessagesDoNotEchoValues) {
  auto policy = testutil::SmallPolicy();
  LeadSubmission s = testutil::GoodSubmission();
  s.set_email("secret-person@@x");
  s.set_phone("secret-phone");
  for (const auto& e : ValidateSubmission(s, *policy)) {
    EXPECT_EQ(e.message().find("secret"), std::string::npos) << e.message();
  }
}

}  // namespace
}  // namespace leadflow::intake
