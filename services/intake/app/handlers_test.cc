// The three inputs over one processor: leads.submitted, POST /v1/leads and
// IntakeService.SubmitLead.
#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/auth/sha256.h"
#include "common/kafka/topics.h"
#include "intake/testing/app_test_util.h"
#include "intake/app/grpc_service.h"
#include "intake/app/http_handler.h"
#include "intake/app/source_access.h"
#include "intake/app/submitted_handler.h"

namespace leadflow::intake {
namespace {

using leadflow::common::v1::LeadRejected;
using testutil::GoodSubmission;

std::string ToJson(const leadflow::intake::v1::LeadSubmission& s) {
  std::string out;
  google::protobuf::util::JsonPrintOptions o;
  o.preserve_proto_field_names = true;
  EXPECT_TRUE(google::protobuf::util::MessageToJsonString(s, &out, o).ok());
  return out;
}

kafka::ConsumedMessage Record(std::string payload, int64_t offset,
                              std::vector<kafka::Header> headers = {}) {
  kafka::ConsumedMessage m;
  m.topic = topics::kLeadsSubmitted;
  m.partition = 2;
  m.offset = offset;
  m.payload = std::move(payload);
  m.headers = std::move(headers);
  m.timestamp_ms = 1'795'000'000'000;
  return m;
}

class SubmittedHandlerTest : public ::testing::Test {
 protected:
  std::vector<kafka::OutgoingMessage> Handle(const kafka::ConsumedMessage& m,
                                             StatusCode want = StatusCode::kOk) {
    std::vector<kafka::OutgoingMessage> out;
    Status s = handler_.Handle(m, out);
    EXPECT_EQ(s.code(), want) << s.message();
    return out;
  }
  LeadRejected OnlyRejection(const std::vector<kafka::OutgoingMessage>& out) {
    EXPECT_EQ(out.size(), 1u);
    LeadRejected r;
    if (out.size() == 1) {
      EXPECT_EQ(out[0].topic, topics::kLeadsRejected);
      EXPECT_TRUE(r.ParseFromString(out[0].payload));
    }
    return r;
  }
  testutil::ProcessorFixture f_;
  SubmittedHandler handler_{f_.processor, f_.clock};
};

TEST_F(SubmittedHandlerTest, JsonAccepted) {
  auto out = Handle(Record(ToJson(GoodSubmission()), 5, {{"trace-id", "tr-1"}}));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].topic, topics::kLeadsAccepted);
  EXPECT_EQ(testutil::Header(out[0], "trace-id"), "tr-1");
  EXPECT_EQ(testutil::DecodeAccepted(out[0]).meta().trace_id(), "tr-1");
}

TEST_F(SubmittedHandlerTest, ProtobufByContentTypeHeader) {
  for (const char* ct : {"application/x-protobuf", "protobuf"}) {
    auto s = GoodSubmission();
    s.set_email(std::string("pb-") + (ct[0] == 'a' ? "a" : "b") + "@example.ru");
    auto out = Handle(Record(s.SerializeAsString(), 6, {{"content-type", ct}}));
    ASSERT_EQ(out.size(), 1u) << ct;
    EXPECT_EQ(out[0].topic, topics::kLeadsAccepted) << ct;
  }
}

TEST_F(SubmittedHandlerTest, InvalidBecomesRejectionWithFieldErrorsAndOriginalBytes) {
  auto s = GoodSubmission();
  s.set_consent(false);
  s.set_inn("123");
  const std::string payload = ToJson(s);
  auto r = OnlyRejection(Handle(Record(payload, 9)));
  EXPECT_EQ(r.stage(), leadflow::common::v1::INTAKE);
  EXPECT_EQ(r.original(), payload);
  EXPECT_EQ(r.source_topic(), topics::kLeadsSubmitted);
  EXPECT_EQ(r.source_partition(), 2);
  EXPECT_EQ(r.source_offset(), 9);
  ASSERT_EQ(r.errors_size(), 2);
  EXPECT_EQ(r.errors(0).field_path(), "consent");
  EXPECT_EQ(r.errors(0).reason(), leadflow::common::v1::CONSENT_MISSING);
  EXPECT_EQ(r.errors(1).field_path(), "inn");
  EXPECT_EQ(r.reason(), leadflow::common::v1::CONSENT_MISSING);
  EXPECT_EQ(r.detail().find("ivan"), std::string::npos);
  EXPECT_EQ(r.meta().source_id(), "web-form");
}

TEST_F(SubmittedHandlerTest, UndecodableInputIsRejectedNeverThrown) {
  struct Case {
    std::string payload;
    std::vector<kafka::Header> headers;
    leadflow::common::v1::ReasonCode reason;
  };
  const std::vector<Case> cases = {
      {"{not json", {}, leadflow::common::v1::MALFORMED_PAYLOAD},
      {"", {}, leadflow::common::v1::MALFORMED_PAYLOAD},
      {R"({"source_id":"x","shoe_size":42})", {}, leadflow::common::v1::UNKNOWN_SCHEMA},
      {"\xFF\xFE\x00garbage",
       {{"content-type", "protobuf"}},
       leadflow::common::v1::MALFORMED_PAYLOAD},
      {"{}", {{"content-type", "text/csv"}}, leadflow::common::v1::UNKNOWN_SCHEMA},
      {std::string(5000, '{'), {}, leadflow::common::v1::PAYLOAD_TOO_LARGE},
  };
  int64_t offset = 100;
  for (const auto& c : cases) {
    auto r = OnlyRejection(Handle(Record(c.payload, offset++, c.headers)));
    EXPECT_EQ(r.reason(), c.reason) << c.payload.substr(0, 20);
    EXPECT_EQ(r.original(), c.payload);
    EXPECT_EQ(r.stage(), leadflow::common::v1::INTAKE);
  }
  EXPECT_EQ(f_.metrics.ReceivedCount("other", "rejected"), static_cast<double>(cases.size()));
}

TEST_F(SubmittedHandlerTest, DuplicateRecordYieldsEngagementEvent) {
  const std::string payload = ToJson(GoodSubmission());
  auto first = Handle(Record(payload, 1));
  auto second = Handle(Record(payload, 2));
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].topic, topics::kEngagementEvents);
  // Redelivery of the duplicate record re-emits the same event.
  auto again = Handle(Record(payload, 2));
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].payload, second[0].payload);
  // Redelivery of the first record re-emits the same lead.
  auto redelivered = Handle(Record(payload, 1));
  ASSERT_EQ(redelivered.size(), 1u);
  EXPECT_EQ(redelivered[0].payload, first[0].payload);
}

TEST_F(SubmittedHandlerTest, TransientFailureIsReturnedForRetry) {
  f_.memory_store.SetUnavailable(true);
  auto out = Handle(Record(ToJson(GoodSubmission()), 3), StatusCode::kUnavailable);
  EXPECT_TRUE(out.empty());
}

class HttpHandlerTest : public ::testing::Test {
 protected:
  health::HttpResponse Post(const std::string& body, const std::string& ct = "application/json") {
    health::HttpRequest req;
    req.method = "POST";
    req.path = "/v1/leads";
    req.body = body;
    req.headers["content-type"] = ct;
    return handler_.Handle(req);
  }
  testutil::ProcessorFixture f_;
  testutil::LockedProducer producer_;
  HttpLeadHandler handler_{f_.processor, producer_, nullptr};
};

// No oracle: a repeat of someone's submission is answered exactly like a new
// lead (202, an id of its own), never with the original's id; only the
// client's own idempotency key gets its id back.
TEST_F(HttpHandlerTest, ARepeatIsAnsweredLikeANewLeadWithoutTheOriginalsId) {
  auto r = Post(ToJson(GoodSubmission()));
  EXPECT_EQ(r.status, 202);
  auto body = nlohmann::json::parse(r.body);
  ASSERT_TRUE(body.contains("lead_id"));
  EXPECT_EQ(body.size(), 1u) << r.body;
  EXPECT_EQ(producer_.SentTo(topics::kLeadsAccepted).size(), 1u);
  auto dup = Post(ToJson(GoodSubmission()));
  EXPECT_EQ(dup.status, 202);
  auto dup_body = nlohmann::json::parse(dup.body);
  EXPECT_EQ(dup_body.size(), 1u) << dup.body;
  ASSERT_TRUE(dup_body.contains("lead_id"));
  EXPECT_NE(dup_body["lead_id"], body["lead_id"]);
  EXPECT_EQ(producer_.SentTo(topics::kLeadsAccepted).size(), 1u);  // still a repeat
  EXPECT_EQ(producer_.SentTo(topics::kEngagementEvents).size(), 1u);  // FORM_RESUBMITTED

  auto keyed = GoodSubmission();
  keyed.set_email("keyed@example.ru");
  keyed.set_idempotency_key("client-key-1");
  auto first = nlohmann::json::parse(Post(ToJson(keyed)).body);
  auto retry = Post(ToJson(keyed));
  EXPECT_EQ(retry.status, 202);
  EXPECT_EQ(nlohmann::json::parse(retry.body)["lead_id"], first["lead_id"]);
}

TEST_F(HttpHandlerTest, FieldErrors400) {
  auto s = GoodSubmission();
  s.set_phone("nope");
  s.set_consent(false);
  auto r = Post(ToJson(s));
  EXPECT_EQ(r.status, 400);
  auto body = nlohmann::json::parse(r.body);
  ASSERT_EQ(body["errors"].size(), 2u);
  EXPECT_EQ(body["errors"][0]["field"], "phone");
  EXPECT_EQ(body["errors"][0]["reason"], "INVALID_FIELD");
  EXPECT_EQ(body["errors"][1]["field"], "consent");
  EXPECT_EQ(body["errors"][1]["reason"], "CONSENT_MISSING");
  EXPECT_FALSE(body["errors"][1]["message"].get<std::string>().empty());
  EXPECT_TRUE(producer_.SentTo(topics::kLeadsAccepted).empty());
}

TEST_F(HttpHandlerTest, MalformedTooLargeAndUnsupported) {
  EXPECT_EQ(Post("{oops").status, 400);
  auto unknown = Post(R"({"source_id":"x","hat":"fedora"})");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(nlohmann::json::parse(unknown.body)["errors"][0]["reason"], "UNKNOWN_SCHEMA");
  auto big = Post(std::string(5000, ' '));
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(nlohmann::json::parse(big.body)["errors"][0]["reason"], "PAYLOAD_TOO_LARGE");
  EXPECT_EQ(Post("{}", "text/csv").status, 415);
  EXPECT_EQ(Post(ToJson(GoodSubmission()), "application/x-www-form-urlencoded").status, 202);
  EXPECT_EQ(Post("{}", "").status, 400);  // read as JSON: field errors
}

TEST_F(HttpHandlerTest, UnavailableIs503) {
  f_.memory_store.SetUnavailable(true);
  EXPECT_EQ(Post(ToJson(GoodSubmission())).status, 503);
  f_.memory_store.SetUnavailable(false);
  producer_.inner.fail_flush = true;
  EXPECT_EQ(Post(ToJson(GoodSubmission())).status, 503);
  producer_.inner.fail_flush = false;
  EXPECT_EQ(Post(ToJson(GoodSubmission())).status, 202);  // the claim was released
}

// SmallConfig with API keys ("key-web" for web-form, "key-partner" for
// partner-portal) and 2 submissions per second per source.
std::unique_ptr<SourceAccess> KeyedAccess(const Clock& clock) {
  auto c = testutil::SmallConfig();
  c.mutable_sources(0)->set_api_key_sha256(auth::Sha256Hex("key-web"));
  c.mutable_sources(0)->set_rate_per_second(2);
  c.mutable_sources(1)->set_api_key_sha256(auth::Sha256Hex("key-partner"));
  c.mutable_sources(1)->set_rate_per_second(2);
  auto policy = IntakePolicy::Create(c);
  EXPECT_TRUE(policy.ok()) << policy.status().message();
  auto access = SourceAccess::Create(**policy, clock);
  EXPECT_TRUE(access.ok()) << access.status().message();
  return std::move(*access);
}

TEST(SourceAccessTest, KeyNamesTheSourceAndRateLimitsIt) {
  FakeClock clock(1'000'000);
  auto access = KeyedAccess(clock);
  EXPECT_EQ(access->Check(std::nullopt).outcome, AccessOutcome::kUnauthenticated);
  EXPECT_EQ(access->Check(std::string("wrong")).outcome, AccessOutcome::kUnauthenticated);
  auto d = access->Check(std::string("key-web"));
  EXPECT_EQ(d.outcome, AccessOutcome::kAllowed);
  EXPECT_EQ(d.source_id, "web-form");
  EXPECT_EQ(access->Check(std::string("key-web")).outcome, AccessOutcome::kAllowed);
  d = access->Check(std::string("key-web"));
  EXPECT_EQ(d.outcome, AccessOutcome::kRateLimited);
  EXPECT_EQ(d.source_id, "web-form");
  // Another source has its own bucket; time refills this one.
  EXPECT_EQ(access->Check(std::string("key-partner")).outcome, AccessOutcome::kAllowed);
  clock.Advance(std::chrono::milliseconds(500));
  EXPECT_EQ(access->Check(std::string("key-web")).outcome, AccessOutcome::kAllowed);
}

TEST(SourceAccessTest, OneKeyForTwoSourcesIsAConfigError) {
  auto c = testutil::SmallConfig();
  c.mutable_sources(0)->set_api_key_sha256(auth::Sha256Hex("shared"));
  c.mutable_sources(1)->set_api_key_sha256(auth::Sha256Hex("shared"));
  auto policy = IntakePolicy::Create(c);
  ASSERT_TRUE(policy.ok());
  FakeClock clock;
  auto access = SourceAccess::Create(**policy, clock);
  ASSERT_FALSE(access.ok());
  EXPECT_EQ(access.status().message().rfind("sources[1].api_key_sha256", 0), 0u)
      << access.status().message();
}

TEST(SourceAccessTest, BindSource) {
  leadflow::intake::v1::LeadSubmission s;
  EXPECT_TRUE(BindSource("web-form", &s));
  EXPECT_EQ(s.source_id(), "web-form");
  EXPECT_TRUE(BindSource("web-form", &s));
  EXPECT_FALSE(BindSource("partner-portal", &s));
}

class HttpAuthTest : public ::testing::Test {
 protected:
  health::HttpResponse Post(const std::map<std::string, std::string>& headers,
                            const std::string& body) {
    health::HttpRequest req;
    req.method = "POST";
    req.path = "/v1/leads";
    req.body = body;
    req.headers = headers;
    req.headers["content-type"] = "application/json";
    return handler_.Handle(req);
  }
  testutil::ProcessorFixture f_;
  testutil::LockedProducer producer_;
  std::unique_ptr<SourceAccess> access_ = KeyedAccess(f_.clock);
  HttpLeadHandler handler_{f_.processor, producer_, access_.get()};
};

TEST_F(HttpAuthTest, Status401403429AndErrorBodies) {
  const std::string good = ToJson(GoodSubmission());  // source_id web-form
  auto none = Post({}, good);
  EXPECT_EQ(none.status, 401);
  auto body = nlohmann::json::parse(none.body);
  EXPECT_EQ(body["errors"][0]["reason"], "UNAUTHENTICATED");
  EXPECT_EQ(body["errors"][0]["field"], "x-api-key");
  EXPECT_EQ(Post({{"x-api-key", "nope"}}, good).status, 401);
  // Not even parsed without a key: a malformed body is still a 401.
  EXPECT_EQ(Post({}, "{oops").status, 401);
  EXPECT_TRUE(producer_.SentTo(topics::kLeadsAccepted).empty());

  auto other = Post({{"x-api-key", "key-partner"}}, good);
  EXPECT_EQ(other.status, 403);
  EXPECT_EQ(nlohmann::json::parse(other.body)["errors"][0]["field"], "source_id");

  EXPECT_EQ(Post({{"x-api-key", "key-web"}}, good).status, 202);
  auto s = GoodSubmission();
  s.clear_source_id();  // filled in from the key
  s.set_email("second@example.ru");
  EXPECT_EQ(Post({{"authorization", "Bearer key-web"}}, ToJson(s)).status, 202);
  auto limited = Post({{"x-api-key", "key-web"}}, good);
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(nlohmann::json::parse(limited.body)["errors"][0]["reason"], "RATE_LIMITED");
  const auto sent = producer_.SentTo(topics::kLeadsAccepted);
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(testutil::DecodeAccepted(sent[1]).meta().source_id(), "web-form");
  EXPECT_EQ(f_.metrics.ReceivedCount("other", "rejected"), 3);
  EXPECT_EQ(f_.metrics.ReceivedCount("web-form", "rejected"), 1);
  EXPECT_EQ(f_.metrics.ReceivedCount("partner-portal", "rejected"), 1);
  EXPECT_EQ(f_.metrics.RejectedCount("other", "UNAUTHENTICATED"), 3);
  EXPECT_EQ(f_.metrics.RejectedCount("web-form", "RATE_LIMITED"), 1);
  EXPECT_EQ(f_.metrics.RejectedCount("partner-portal", "SOURCE_MISMATCH"), 1);
}

TEST_F(HttpAuthTest, ParseErrorsNameTheField) {
  auto r = Post({{"x-api-key", "key-web"}}, R"({"source_id":"web-form","buyer_class":"KING"})");
  EXPECT_EQ(r.status, 400);
  auto body = nlohmann::json::parse(r.body);
  EXPECT_EQ(body["errors"][0]["field"], "buyer_class");
  EXPECT_EQ(body["errors"][0]["reason"], "MALFORMED_PAYLOAD");
}

class GrpcServiceTest : public ::testing::Test {
 protected:
  testutil::ProcessorFixture f_;
  testutil::LockedProducer producer_;
  IntakeGrpcService service_{f_.processor, producer_, nullptr};
};

TEST_F(GrpcServiceTest, AcceptedDuplicateAndInvalid) {
  grpc::ServerContext ctx;
  leadflow::intake::v1::SubmitLeadRequest req;
  *req.mutable_lead() = GoodSubmission();
  leadflow::intake::v1::SubmitLeadResponse resp;
  ASSERT_TRUE(service_.SubmitLead(&ctx, &req, &resp).ok());
  EXPECT_EQ(resp.lead_id().substr(0, 2), "L-");
  EXPECT_EQ(producer_.SentTo(topics::kLeadsAccepted).size(), 1u);

  // A repeat: answered like a new lead, with an id of its own.
  leadflow::intake::v1::SubmitLeadResponse dup;
  ASSERT_TRUE(service_.SubmitLead(&ctx, &req, &dup).ok());
  EXPECT_EQ(dup.lead_id().substr(0, 2), "L-");
  EXPECT_NE(dup.lead_id(), resp.lead_id());
  EXPECT_EQ(producer_.SentTo(topics::kLeadsAccepted).size(), 1u);

  req.mutable_lead()->clear_source_id();
  req.mutable_lead()->set_email("bad@");
  leadflow::intake::v1::SubmitLeadResponse bad;
  const grpc::Status st = service_.SubmitLead(&ctx, &req, &bad);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(st.error_message().find("source_id"), std::string::npos);
  EXPECT_NE(st.error_message().find("email"), std::string::npos);
  EXPECT_EQ(bad.errors_size(), 2);
  leadflow::intake::v1::SubmitLeadResponse decoded;
  ASSERT_TRUE(DecodeSubmitLeadErrors(st.error_details(), &decoded));
  ASSERT_EQ(decoded.errors_size(), 2);
  EXPECT_EQ(decoded.errors(0).field_path(), "source_id");
  EXPECT_EQ(decoded.errors(1).field_path(), "email");
}

TEST_F(GrpcServiceTest, OversizedSubmissionIsInvalidArgumentWithoutProcessing) {
  grpc::ServerContext ctx;
  leadflow::intake::v1::SubmitLeadRequest req;
  *req.mutable_lead() = GoodSubmission();
  req.mutable_lead()->set_full_name(std::string(10 * 1024 * 1024, 'x'));  // 10 MB field
  leadflow::intake::v1::SubmitLeadResponse resp;
  const grpc::Status st = service_.SubmitLead(&ctx, &req, &resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  ASSERT_EQ(resp.errors_size(), 1);
  EXPECT_EQ(resp.errors(0).reason(), leadflow::common::v1::PAYLOAD_TOO_LARGE);
  EXPECT_TRUE(producer_.SentTo(topics::kLeadsAccepted).empty());
  EXPECT_EQ(f_.metrics.RejectedCount("other", "PAYLOAD_TOO_LARGE"), 1);
}

TEST_F(GrpcServiceTest, Unavailable) {
  f_.accounts.SetUnavailable(true);
  grpc::ServerContext ctx;
  leadflow::intake::v1::SubmitLeadRequest req;
  *req.mutable_lead() = GoodSubmission();
  leadflow::intake::v1::SubmitLeadResponse resp;
  EXPECT_EQ(service_.SubmitLead(&ctx, &req, &resp).error_code(), grpc::StatusCode::UNAVAILABLE);
}

// A real in-process gRPC server on a free port, so that the API key travels
// as client metadata.
class GrpcAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder b;
    b.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    b.RegisterService(&service_);
    server_ = b.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_GT(port_, 0);
    stub_ = leadflow::intake::v1::IntakeService::NewStub(grpc::CreateChannel(
        "127.0.0.1:" + std::to_string(port_), grpc::InsecureChannelCredentials()));
  }
  void TearDown() override { server_->Shutdown(); }
  grpc::Status Submit(const std::string& key, const leadflow::intake::v1::LeadSubmission& lead,
                      leadflow::intake::v1::SubmitLeadResponse* resp) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    if (!key.empty()) ctx.AddMetadata("x-api-key", key);
    leadflow::intake::v1::SubmitLeadRequest req;
    *req.mutable_lead() = lead;
    return stub_->SubmitLead(&ctx, req, resp);
  }
  testutil::ProcessorFixture f_;
  testutil::LockedProducer producer_;
  std::unique_ptr<SourceAccess> access_ = KeyedAccess(f_.clock);
  IntakeGrpcService service_{f_.processor, producer_, access_.get()};
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<leadflow::intake::v1::IntakeService::Stub> stub_;
};

TEST_F(GrpcAuthTest, UnauthenticatedPermissionDeniedResourceExhausted) {
  leadflow::intake::v1::SubmitLeadResponse resp;
  EXPECT_EQ(Submit("", GoodSubmission(), &resp).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Submit("wrong", GoodSubmission(), &resp).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Submit("key-partner", GoodSubmission(), &resp).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  auto ok = Submit("key-web", GoodSubmission(), &resp);
  ASSERT_TRUE(ok.ok()) << ok.error_message();
  EXPECT_FALSE(resp.lead_id().empty());
  leadflow::intake::v1::SubmitLeadResponse again;
  EXPECT_TRUE(Submit("key-web", GoodSubmission(), &again).ok());  // the duplicate
  EXPECT_FALSE(again.lead_id().empty());
  EXPECT_EQ(Submit("key-web", GoodSubmission(), &again).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
  f_.clock.Advance(std::chrono::seconds(1));
  EXPECT_TRUE(Submit("key-web", GoodSubmission(), &again).ok());
}

// Keys as KeyedAccess, over a limiter that cannot be checked (Redis down or
// refusing): the request is refused as retryable, never let through.
class UncheckableLimiter final : public auth::KeyRateLimiter {
 public:
  void SetLimit(const std::string&, double, double) override {}
  auth::RateDecision Acquire(const std::string&) override {
    return auth::RateDecision::kUnavailable;
  }
};

std::unique_ptr<SourceAccess> UncheckableAccess() {
  auto c = testutil::SmallConfig();
  c.mutable_sources(0)->set_api_key_sha256(auth::Sha256Hex("key-web"));
  c.mutable_sources(0)->set_rate_per_second(2);
  auto policy = IntakePolicy::Create(c);
  EXPECT_TRUE(policy.ok()) << policy.status().message();
  auto access = SourceAccess::Create(**policy, std::make_unique<UncheckableLimiter>());
  EXPECT_TRUE(access.ok()) << access.status().message();
  return std::move(*access);
}

TEST(RateLimitUnavailableTest, HttpIs503AndNothingIsPublished) {
  testutil::ProcessorFixture f;
  testutil::LockedProducer producer;
  auto access = UncheckableAccess();
  HttpLeadHandler handler{f.processor, producer, access.get()};
  health::HttpRequest req;
  req.method = "POST";
  req.path = "/v1/leads";
  req.body = ToJson(GoodSubmission());
  req.headers = {{"x-api-key", "key-web"}, {"content-type", "application/json"}};
  EXPECT_EQ(handler.Handle(req).status, 503);
  EXPECT_TRUE(producer.SentTo(topics::kLeadsAccepted).empty());
  EXPECT_EQ(f.metrics.RejectedCount("web-form", "RATE_LIMIT_UNAVAILABLE"), 1);
}

TEST(RateLimitUnavailableTest, GrpcIsUnavailable) {
  testutil::ProcessorFixture f;
  testutil::LockedProducer producer;
  auto access = UncheckableAccess();
  IntakeGrpcService service{f.processor, producer, access.get()};
  int port = 0;
  grpc::ServerBuilder b;
  b.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  b.RegisterService(&service);
  auto server = b.BuildAndStart();
  ASSERT_NE(server, nullptr);
  auto stub = leadflow::intake::v1::IntakeService::NewStub(grpc::CreateChannel(
      "127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  ctx.AddMetadata("x-api-key", "key-web");
  leadflow::intake::v1::SubmitLeadRequest req;
  *req.mutable_lead() = GoodSubmission();
  leadflow::intake::v1::SubmitLeadResponse resp;
  EXPECT_EQ(stub->SubmitLead(&ctx, req, &resp).error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_TRUE(producer.SentTo(topics::kLeadsAccepted).empty());
  server->Shutdown();
}

TEST(ErrorDetailsTest, RoundTripAndGarbage) {
  leadflow::intake::v1::SubmitLeadResponse r;
  r.add_errors()->set_field_path("email");
  const std::string bytes = EncodeErrorDetails(3, "bad", r);
  leadflow::intake::v1::SubmitLeadResponse out;
  ASSERT_TRUE(DecodeSubmitLeadErrors(bytes, &out));
  EXPECT_EQ(out.errors(0).field_path(), "email");
  EXPECT_FALSE(DecodeSubmitLeadErrors("", &out));
  EXPECT_FALSE(DecodeSubmitLeadErrors("\xFF\xFF\xFF", &out));
}

}  // namespace
}  // namespace leadflow::intake
