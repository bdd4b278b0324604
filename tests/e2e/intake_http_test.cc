// e2e: the real `curl` binary against the running leadflow-intake binary
// (with redis-server and devkafka): POST /v1/leads status codes and error
// bodies, API keys, the per-source rate limit, and no PII in /metrics; probes
// and metrics on the admin port only, and fast under a slowloris on the
// public port.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "intake/testing/intake_process.h"
#include "common/testing/child_process.h"
#include "common/testing/slowloris.h"
#include "common/testing/temp_dir.h"

namespace leadflow::e2e {
namespace {

constexpr char kWebKey[] = "demo-key-web";  // config/README.md demo key of web-form-main
constexpr char kLimitedKey[] = "e2e-limited-key";

struct CurlResult {
  int status = -1;
  nlohmann::json body;
  std::string raw;
};

class IntakeHttpE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string error;
    dir_ = leadflow::testing::TempDir::Create("leadflow-curl", &error).release();
    ASSERT_NE(dir_, nullptr) << error;
    // The limited source's key hash is computed by the real sha256sum, as an
    // operator would (config/README.md).
    const std::string digest =
        Run("sh", {"-c", "printf %s '" + std::string(kLimitedKey) + "' | sha256sum | cut -c1-64"});
    ASSERT_EQ(digest.size(), 65u) << digest;  // 64 hex + newline
    intake::testing::IntakeProcessOptions o;
    o.edit_config = [digest](nlohmann::json& c) {
      c["sources"].push_back({{"source_id", "e2e-limited"},
                              {"api_key_sha256", digest.substr(0, 64)},
                              {"rate_per_second", 0.2}});  // burst 1, one more every 5 s
    };
    intake_ = intake::testing::IntakeProcess::Start(o, &error).release();
    ASSERT_NE(intake_, nullptr) << error;
  }
  static void TearDownTestSuite() {
    delete intake_;
    intake_ = nullptr;
    delete dir_;
    dir_ = nullptr;
  }

  // Runs a command to completion and returns its stdout.
  static std::string Run(const std::string& binary, const std::vector<std::string>& args) {
    leadflow::testing::ChildProcessOptions o;
    o.binary = binary;
    o.args = args;
    std::string error;
    auto p = leadflow::testing::ChildProcess::Start(o, &error);
    EXPECT_NE(p, nullptr) << error;
    if (!p) return "";
    auto code = p->WaitForExit(std::chrono::seconds(30));
    EXPECT_EQ(code.value_or(-1), 0) << binary << ": " << p->ReadStderr();
    return p->ReadStdout();
  }

  // curl -s -X POST http://127.0.0.1:<port>/v1/leads --data-binary @body [-H ...]
  static CurlResult Post(const std::string& body, const std::vector<std::string>& headers,
                         bool form_encoded = false) {
    static int n = 0;
    const std::string body_file = dir_->File("req" + std::to_string(++n));
    const std::string out_file = dir_->File("resp" + std::to_string(n));
    std::ofstream(body_file, std::ios::binary) << body;
    std::vector<std::string> args = {"-s",           "-S", "-o",   out_file,     "-w",
                                     "%{http_code}", "-X", "POST", "--max-time", "20"};
    for (const auto& h : headers) {
      args.push_back("-H");
      args.push_back(h);
    }
    // -d labels the body application/x-www-form-urlencoded, as web-form tools do.
    args.push_back(form_encoded ? "-d" : "--data-binary");
    args.push_back("@" + body_file);
    args.push_back("http://127.0.0.1:" + std::to_string(intake_->http_port()) + "/v1/leads");
    CurlResult r;
    const std::string code = Run("curl", args);
    r.status = code.empty() ? -1 : std::stoi(code);
    r.raw = leadflow::testing::ReadFileToString(out_file).value_or("");
    r.body = nlohmann::json::parse(r.raw, nullptr, false);
    return r;
  }
  static CurlResult PostJson(const std::string& body, const std::string& key = kWebKey) {
    std::vector<std::string> h = {"Content-Type: application/json"};
    if (!key.empty()) h.push_back("X-Api-Key: " + key);
    return Post(body, h);
  }

  static std::string FirstReason(const CurlResult& r) {
    if (!r.body.is_object() || !r.body.contains("errors") || r.body["errors"].empty()) return "";
    return r.body["errors"][0].value("reason", "");
  }
  static std::string FirstField(const CurlResult& r) {
    if (!r.body.is_object() || !r.body.contains("errors") || r.body["errors"].empty()) return "";
    return r.body["errors"][0].value("field", "");
  }

  static leadflow::testing::TempDir* dir_;
  static intake::testing::IntakeProcess* intake_;
};

leadflow::testing::TempDir* IntakeHttpE2eTest::dir_ = nullptr;
intake::testing::IntakeProcess* IntakeHttpE2eTest::intake_ = nullptr;

const char kGood[] =
    R"({"source_id":"web-form-main","email":"Olga.Curl@Curl-Corp.RU","job_title":"ИТ-директор",)"
    R"("inn":"7707083893","intent":"request_proposal","consent":true})";

// No oracle (docs/security.md): a repeat is answered like a new lead, with an
// id of its own, never the original's id.
TEST_F(IntakeHttpE2eTest, ARepeatIsAnsweredLikeANewLeadWithoutTheOriginalsId) {
  const auto first = PostJson(kGood);
  ASSERT_EQ(first.status, 202) << first.raw << "\n" << intake_->Logs();
  const std::string id = first.body.value("lead_id", "");
  EXPECT_EQ(id.substr(0, 2), "L-");
  EXPECT_EQ(first.body.size(), 1u) << first.raw;
  const auto again = PostJson(kGood);
  EXPECT_EQ(again.status, 202) << again.raw;
  EXPECT_EQ(again.body.size(), 1u) << again.raw;
  EXPECT_EQ(again.body.value("lead_id", "").substr(0, 2), "L-");
  EXPECT_NE(again.body.value("lead_id", ""), id);
}

TEST_F(IntakeHttpE2eTest, MissingOrUnknownKeyIs401) {
  for (const std::string key :
       {"", "not-a-key", "21c7ddc79785335afb3a954b3fe26a45c3355bcc0de95a8d1f444e5c0319bc5d"}) {
    const auto r = PostJson(kGood, key);
    EXPECT_EQ(r.status, 401) << key << ": " << r.raw;
    EXPECT_EQ(FirstReason(r), "UNAUTHENTICATED") << r.raw;
    EXPECT_EQ(FirstField(r), "x-api-key");
  }
  // The key also works as a bearer token.
  const auto bearer =
      Post(R"({"source_id":"web-form-main","email":"bearer@curl-corp.ru","consent":true})",
           {"Content-Type: application/json", std::string("Authorization: Bearer ") + kWebKey});
  EXPECT_EQ(bearer.status, 202) << bearer.raw;
}

TEST_F(IntakeHttpE2eTest, FieldErrorsAre400WithOneErrorPerProblem) {
  const auto r = PostJson(R"({"source_id":"web-form-main","email":"olga@@curl-corp","phone":"12",)"
                          R"("inn":"7707083894","consent":false,"answers":{"budget":"under_5m"}})");
  ASSERT_EQ(r.status, 400) << r.raw;
  ASSERT_TRUE(r.body.contains("errors")) << r.raw;
  std::vector<std::pair<std::string, std::string>> got;
  for (const auto& e : r.body["errors"]) {
    got.emplace_back(e.value("field", ""), e.value("reason", ""));
    EXPECT_FALSE(e.value("message", "").empty());
  }
  const std::vector<std::pair<std::string, std::string>> want = {{"email", "INVALID_FIELD"},
                                                                 {"phone", "INVALID_FIELD"},
                                                                 {"consent", "CONSENT_MISSING"},
                                                                 {"inn", "INVALID_FIELD"}};
  EXPECT_EQ(got, want) << r.raw;
  EXPECT_EQ(r.raw.find("olga@@"), std::string::npos) << "values are never echoed";
}

// issue 17.5: the JSON body's campaign_id. A control character in it is a
// field error naming it; an unknown campaign is accepted, counted by source,
// and never becomes a label value of its own.
TEST_F(IntakeHttpE2eTest, CampaignIdIsCheckedAndBounded) {
  const auto bad =
      PostJson(R"({"source_id":"web-form-main","email":"camp.bad@curl-corp.ru","consent":true,)"
               R"("campaign_id":"spring\u0007webinar"})");  // a JSON \u escape
  ASSERT_EQ(bad.status, 400) << bad.raw;
  EXPECT_EQ(FirstField(bad), "campaign_id") << bad.raw;
  EXPECT_EQ(FirstReason(bad), "INVALID_FIELD") << bad.raw;
  EXPECT_EQ(PostJson(R"({"source_id":"web-form-main","email":"camp.known@curl-corp.ru",)"
                     R"("consent":true,"campaign_id":"webinar-roi-2026"})")
                .status,
            202);
  EXPECT_EQ(PostJson(R"({"source_id":"web-form-main","email":"camp.unknown@curl-corp.ru",)"
                     R"("consent":true,"campaignId":"utm-curl-landing-xyz"})")
                .status,
            202);
  EXPECT_EQ(
      intake_->MetricValue(R"(leadflow_intake_unknown_campaigns_total{source="web-form-main"})"),
      1);
  EXPECT_EQ(intake_->Metrics().find("utm-curl-landing-xyz"), std::string::npos);
}

TEST_F(IntakeHttpE2eTest, MalformedWrongTypesTooLargeAndUnsupported) {
  const auto malformed = PostJson(R"({"source_id":"web-form-main","email": )");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(FirstReason(malformed), "MALFORMED_PAYLOAD") << malformed.raw;

  const auto number = PostJson(
      R"({"source_id":"web-form-main","email":"n@curl-corp.ru","full_name":42,"consent":true})");
  EXPECT_EQ(number.status, 400);
  EXPECT_EQ(FirstField(number), "full_name") << number.raw;

  const auto unknown = PostJson(R"({"source_id":"web-form-main","favourite_colour":"red"})");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(FirstReason(unknown), "UNKNOWN_SCHEMA");
  EXPECT_EQ(FirstField(unknown), "favourite_colour");

  const auto bad_enum = PostJson(
      R"({"source_id":"web-form-main","email":"e@curl-corp.ru","consent":true,"decision_role":42})");
  EXPECT_EQ(bad_enum.status, 400);
  EXPECT_EQ(FirstField(bad_enum), "decision_role") << bad_enum.raw;

  const auto bomb = PostJson(R"({"source_id":"web-form-main","answers":{"k":)" +
                             std::string(5000, '[') + std::string(5000, ']') + "}}");
  EXPECT_EQ(bomb.status, 400);
  EXPECT_EQ(FirstField(bomb), "answers.k") << bomb.raw;

  const auto big =
      PostJson(R"({"source_id":"web-form-main","full_name":")" + std::string(100000, 'x') + "\"}");
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(FirstReason(big), "PAYLOAD_TOO_LARGE") << big.raw;

  const auto csv = Post("a,b,c", {"Content-Type: text/csv", std::string("X-Api-Key: ") + kWebKey});
  EXPECT_EQ(csv.status, 415);
  EXPECT_EQ(FirstReason(csv), "UNKNOWN_SCHEMA");

  // `curl -d` (form-urlencoded label, JSON body) is read as JSON.
  const auto form =
      Post(R"({"source_id":"web-form-main","email":"dash-d@curl-corp.ru","consent":true})",
           {std::string("X-Api-Key: ") + kWebKey}, /*form_encoded=*/true);
  EXPECT_EQ(form.status, 202) << form.raw;
}

TEST_F(IntakeHttpE2eTest, TenMegabyteBodyIs413) {
  const std::string body = R"({"source_id":"web-form-main","full_name":")" +
                           std::string(10 * 1024 * 1024, 'x') + R"(","consent":true})";
  const auto r = PostJson(body);
  EXPECT_EQ(r.status, 413) << r.raw.substr(0, 200);
}

TEST_F(IntakeHttpE2eTest, AnotherSourcesIdIs403) {
  const auto r =
      PostJson(R"({"source_id":"partner-portal","email":"p@curl-corp.ru","consent":true})");
  EXPECT_EQ(r.status, 403) << r.raw;
  EXPECT_EQ(FirstField(r), "source_id");
}

TEST_F(IntakeHttpE2eTest, RateLimitedSourceGets429) {
  const auto first = PostJson(R"({"email":"limited1@curl-corp.ru","consent":true})", kLimitedKey);
  EXPECT_EQ(first.status, 202) << first.raw << "\n" << intake_->Logs();
  const auto second = PostJson(R"({"email":"limited2@curl-corp.ru","consent":true})", kLimitedKey);
  EXPECT_EQ(second.status, 429) << second.raw;
  EXPECT_EQ(FirstReason(second), "RATE_LIMITED");
  // Another source is not affected.
  EXPECT_EQ(PostJson(R"({"source_id":"web-form-main","email":"free@curl-corp.ru","consent":true})")
                .status,
            202);
}

TEST_F(IntakeHttpE2eTest, MetricsCountOutcomesWithoutPii) {
  // Each test may run in its own process (CTest): produce every outcome here.
  EXPECT_EQ(PostJson(kGood, "").status, 401);
  EXPECT_EQ(PostJson(kGood).status, 202);
  EXPECT_EQ(PostJson(kGood).status, 202);  // a repeat, answered alike, counted as one
  EXPECT_EQ(
      PostJson(R"({"source_id":"web-form-main","email":"x@@curl-corp.ru","consent":true})").status,
      400);
  const std::string metrics = intake_->Metrics();
  EXPECT_NE(metrics.find("leadflow_intake_leads_received_total"), std::string::npos);
  EXPECT_NE(metrics.find("leadflow_intake_validation_seconds_bucket"), std::string::npos);
  EXPECT_NE(metrics.find(R"(reason="UNAUTHENTICATED",source="other")"), std::string::npos);
  EXPECT_NE(metrics.find(R"(reason="INVALID_FIELD",source="web-form-main")"), std::string::npos);
  EXPECT_NE(metrics.find("leadflow_intake_registry_accounts"), std::string::npos);
  for (const char* outcome : {"accepted", "duplicate", "rejected"}) {
    EXPECT_NE(metrics.find(std::string(R"(outcome=")") + outcome + R"(",source="web-form-main")"),
              std::string::npos)
        << outcome;
  }
  EXPECT_EQ(metrics.find("curl-corp"), std::string::npos) << "no email or domain in metrics";
  EXPECT_EQ(metrics.find(kWebKey), std::string::npos);
}

// issue 16: 100 connections trickling a header line every 2 s to intake's
// public port leave /readyz on the admin port answering in < 200 ms, and
// intake ends every slow connection (10 s request deadline) and then serves
// leads again. Before the admin port, the same attack made /readyz time out
// (HttpServerConcurrencyTest.SlowlorisOnThePublicPortLeavesReadyzOnTheAdminPortFast).
TEST_F(IntakeHttpE2eTest, SlowlorisOnThePublicPortLeavesReadyzOnTheAdminPortFast) {
  ASSERT_NE(intake_->admin_port(), intake_->http_port());
  const leadflow::testing::SlowlorisResult r = leadflow::testing::RunSlowloris(
      intake_->http_port(), intake_->admin_port(), 100, std::chrono::seconds(14));
  ASSERT_GE(r.probe_ms.size(), 10u) << r.Summary();
  EXPECT_EQ(r.probe_failures, 0) << r.Summary();
  EXPECT_LT(r.max_probe_ms(), 200.0) << r.Summary();
  EXPECT_EQ(r.slow_connections, 100) << r.Summary();
  EXPECT_EQ(r.slow_ended_by_server, r.slow_connections) << r.Summary();
  std::cout << r.Summary() << "\n";
  // The public port answers leads again, and only leads: no probes there.
  const std::string base = "http://127.0.0.1:" + std::to_string(intake_->http_port());
  const std::string admin = "http://127.0.0.1:" + std::to_string(intake_->admin_port());
  auto code = [&](const std::string& url) {
    return Run("curl", {"-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10", url});
  };
  EXPECT_EQ(code(base + "/readyz"), "404");
  EXPECT_EQ(code(base + "/metrics"), "404");
  EXPECT_EQ(code(admin + "/readyz"), "200");
  EXPECT_EQ(Run("curl", {"-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10", "-X",
                         "POST", "-H", "Content-Type: application/json", "-d", "{}",
                         admin + "/v1/leads"}),
            "404");
  EXPECT_EQ(Run("curl", {"-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10", "-X",
                         "POST", "-H", "Content-Type: application/json", "-d", "{}",
                         base + "/v1/leads"}),
            "401")
      << "no API key: intake itself answers on the public port";
}

}  // namespace
}  // namespace leadflow::e2e
