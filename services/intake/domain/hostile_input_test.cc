// Hostile inputs through the whole parse-and-validate path (what the topic
// handler and POST /v1/leads run): every one is rejected with exactly one
// error that names its field (when there is one) and a reason, quickly, and
// without echoing the submitted value.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "intake/domain/validation.h"
#include "intake/testing/intake_test_util.h"
#include "intake/wire/submission_parser.h"

namespace leadflow::intake {
namespace {

using leadflow::common::v1::ReasonCode;

constexpr size_t kMib = 1024 * 1024;

// A valid JSON submission with `extra` members appended.
std::string Lead(const std::string& extra = "") {
  return R"({"source_id":"web-form","email":"ivan@example.ru","consent":true)" +
         (extra.empty() ? "" : "," + extra) + "}";
}

std::string Nested(const std::string& open, const std::string& close, int depth) {
  std::string s;
  for (int i = 0; i < depth; ++i) s += open;
  for (int i = 0; i < depth; ++i) s += close;
  return s;
}

struct HostileCase {
  const char* name;
  std::string payload;
  PayloadFormat format;
  size_t max_payload_bytes;
  ReasonCode reason;  // REASON_UNSPECIFIED = must be accepted
  std::string field;  // expected field path of the single error
};

// Test names in CTest stay readable (no byte dump of the parameter).
void PrintTo(const HostileCase& c, std::ostream* os) { *os << c.name; }

struct Outcome {
  std::vector<leadflow::common::v1::FieldError> errors;
};

Outcome ParseAndValidate(const HostileCase& c) {
  auto policy = testutil::SmallPolicy();
  std::string field;
  auto parsed = ParseSubmission(c.payload, c.format, c.max_payload_bytes, &field);
  if (!parsed.ok()) return {{ParseFailureToFieldError(parsed.status(), field)}};
  return {ValidateSubmission(*parsed, *policy)};
}

class HostileInputTest : public ::testing::TestWithParam<HostileCase> {};

TEST_P(HostileInputTest, OneNamedErrorFastAndNoEcho) {
  const HostileCase& c = GetParam();
  const auto started = std::chrono::steady_clock::now();
  const Outcome out = ParseAndValidate(c);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_LT(seconds, 2.0) << "hostile input must not be slow";
  if (c.reason == leadflow::common::v1::REASON_UNSPECIFIED) {
    EXPECT_TRUE(out.errors.empty())
        << out.errors[0].field_path() << ": " << out.errors[0].message();
    return;
  }
  ASSERT_EQ(out.errors.size(), 1u) << [&] {
    std::string all;
    for (const auto& e : out.errors) all += e.field_path() + ": " + e.message() + "; ";
    return all;
  }();
  EXPECT_EQ(out.errors[0].reason(), c.reason) << out.errors[0].message();
  EXPECT_EQ(out.errors[0].field_path(), c.field) << out.errors[0].message();
  EXPECT_FALSE(out.errors[0].message().empty());
  EXPECT_LT(out.errors[0].message().size(), 300u);
  EXPECT_EQ(out.errors[0].message().find("SECRET"), std::string::npos) << out.errors[0].message();
}

const auto kJson = PayloadFormat::kJson;
const auto kProto = PayloadFormat::kProtobuf;
const auto kInvalid = leadflow::common::v1::INVALID_FIELD;
const auto kMalformed = leadflow::common::v1::MALFORMED_PAYLOAD;
const auto kAccept = leadflow::common::v1::REASON_UNSPECIFIED;

std::string ProtoWithBadUtf8() {
  leadflow::intake::v1::LeadSubmission s = testutil::GoodSubmission();
  std::string bytes = s.SerializeAsString();
  // Field 5 (full_name), length 2, bytes FF FE: proto3 strings must be UTF-8.
  bytes += std::string("\x2a\x02\xff\xfe", 4);
  return bytes;
}

INSTANTIATE_TEST_SUITE_P(
    Table, HostileInputTest,
    ::testing::Values(
        HostileCase{"baseline", Lead(), kJson, 65536, kAccept, ""},
        HostileCase{"ten_mb_field_over_payload_limit",
                    Lead(R"("full_name":")" + std::string(10 * kMib, 'x') + "\""), kJson, 65536,
                    leadflow::common::v1::PAYLOAD_TOO_LARGE, ""},
        HostileCase{"ten_mb_field_under_a_huge_payload_limit",
                    Lead(R"("company_name":")" + std::string(10 * kMib, 'x') + "\""), kJson,
                    32 * kMib, kInvalid, "company_name"},
        HostileCase{"ten_mb_answer_value",
                    Lead(R"("answers":{"need":")" + std::string(10 * kMib, 'x') + "\"}"), kJson,
                    32 * kMib, kInvalid, "answers.need"},
        HostileCase{"invalid_utf8_in_json_string", Lead("\"full_name\":\"SECRET\xff\xfe\""), kJson,
                    65536, kMalformed, "full_name"},
        HostileCase{"overlong_utf8_slash_in_json", Lead("\"job_title\":\"\xc0\xaf\""), kJson, 65536,
                    kMalformed, "job_title"},
        HostileCase{"invalid_utf8_in_protobuf", ProtoWithBadUtf8(), kProto, 65536, kMalformed,
                    ""},
        HostileCase{"nested_array_bomb_in_answers",
                    Lead(R"("answers":{"k":)" + Nested("[", "]", 20000) + "}"), kJson, 65536,
                    kMalformed, "answers.k"},
        HostileCase{"nested_object_bomb_unknown_field",
                    Lead(R"("x":)" + Nested(R"({"a":)", "", 8000) + "1" + std::string(8000, '}')), kJson,
                    65536,
                    kMalformed, "x.a"},
        HostileCase{"nested_bomb_at_top", Nested("[", "]", 30000), kJson, 65536, kMalformed, ""},
        HostileCase{"number_where_string_belongs", Lead(R"("full_name":12345)"), kJson, 65536,
                    kMalformed, "full_name"},
        HostileCase{"bool_where_string_belongs", Lead(R"("inn":true)"), kJson, 65536, kMalformed,
                    "inn"},
        HostileCase{"object_where_string_belongs", Lead(R"("phone":{"n":"SECRET"})"), kJson,
                    65536, kMalformed, "phone"},
        HostileCase{"string_where_number_belongs", Lead(R"("headcount":"SECRET")"), kJson, 65536,
                    kMalformed, "headcount"},
        HostileCase{"int64_overflow", Lead(R"("annual_revenue_rub":1e400)"), kJson, 65536,
                    kMalformed, "annual_revenue_rub"},
        HostileCase{"string_where_bool_belongs", Lead(R"("consent":"yes")"), kJson, 65536,
                    kMalformed, "consent"},
        HostileCase{"unknown_enum_name", Lead(R"("buyer_class":"SECRET_KING")"), kJson, 65536,
                    kMalformed, "buyer_class"},
        HostileCase{"unknown_enum_number", Lead(R"("decision_role":77)"), kJson, 65536, kInvalid,
                    "decision_role"},
        HostileCase{"inn_bad_checksum", Lead(R"("inn":"7707083894")"), kJson, 65536, kInvalid,
                    "inn"},
        HostileCase{"inn_twelve_bad_checksum", Lead(R"("inn":"500100732258")"), kJson, 65536,
                    kInvalid, "inn"},
        HostileCase{"phone_not_e164", Lead(R"("phone":"+7 (495) 12")"), kJson, 65536, kInvalid,
                    "phone"},
        HostileCase{"email_with_nul", Lead(R"("email":"iv\u0000an@example.ru")"), kJson, 65536,
                    kInvalid, "email"},
        HostileCase{"lone_surrogate_escape", Lead(R"("full_name":"\ud800")"), kJson, 65536,
                    kMalformed, "full_name"},
        HostileCase{"many_answers_over_limit",
                    [] {
                      std::string a = R"("answers":{)";
                      for (int i = 0; i < 8000; ++i) {
                        a += (i ? "," : "") + std::string("\"k") + std::to_string(i) + "\":\"v\"";
                      }
                      return Lead(a + "}");
                    }(),
                    kJson, 65536, leadflow::common::v1::PAYLOAD_TOO_LARGE, ""},
        HostileCase{"garbage_protobuf", std::string("\xff\xff\xff\xff\x0f", 5), kProto, 65536,
                    kMalformed, ""},
        HostileCase{"protobuf_unknown_field", std::string("\xf8\x3f\x01", 3), kProto, 65536,
                    leadflow::common::v1::UNKNOWN_SCHEMA, ""}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace leadflow::intake
