// RuleSimulationService over an in-process gRPC server: who may call it
// (closed by default, a team caller refused, the scoped caller answered), the
// request's bounds (errors naming the field), and the response as a mapping
// of the simulation report.
#include "routing/app/rule_simulation_grpc_service.h"

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "common/auth/sha256.h"
#include "routing/domain/rule_simulation.h"
#include "routing/domain/simulation_history_generator.h"
#include "routing/testing/routing_test_util.h"

namespace leadflow::routing {
namespace {

namespace rv1 = leadflow::routing::v1;
using config::v1::RoutingRules;
using google::protobuf::util::TimeUtil;

constexpr int64_t kStartMs = 1793577600000;  // the generator's Monday 00:00 UTC
constexpr int64_t kDayMs = 24LL * 3600 * 1000;

RoutingRules Rules() {
  RoutingRules r = testutil::SampleRules();
  for (auto& team : *r.mutable_teams()) {
    for (auto& rep : *team.mutable_reps()) rep.set_max_open_leads(team.team_id() == "key-accounts" ? 500 : 5);
  }
  auto* team_tool = r.add_callers();
  team_tool->set_caller_id("tool-ka");
  team_tool->set_api_key_sha256(auth::Sha256Hex("key-ka"));
  team_tool->add_teams("key-accounts");
  auto* analyst = r.add_callers();
  analyst->set_caller_id("rules-analyst");
  analyst->set_api_key_sha256(auth::Sha256Hex("key-analyst"));
  analyst->add_scopes(std::string(kSimulateRulesScope));
  return r;
}

std::string Json(const RoutingRules& r) {
  std::string out;
  EXPECT_TRUE(google::protobuf::util::MessageToJsonString(r, &out).ok());
  return out;
}

class RuleSimulationGrpcServiceTest : public ::testing::Test {
 protected:
  void Start(bool with_auth, RuleSimulationGrpcService::Limits limits = {}) {
    policy_ = testutil::MustPolicy(Rules());
    HistoryGeneratorOptions g;
    g.leads = 3000;
    g.days = 2;
    history_ = GenerateHistory(policy_, g);
    std::shared_ptr<const CallerAuth> auth;
    if (with_auth) {
      auto a = CallerAuth::Create(*policy_);
      ASSERT_TRUE(a.ok()) << a.status().message();
      auth = *a;
    }
    service_ = std::make_unique<RuleSimulationGrpcService>(
        auth,
        [this](std::chrono::milliseconds timeout) -> StatusOr<SimulationHistory> {
          ++reads_;
          last_timeout_ = timeout;
          if (!read_status_.ok()) return read_status_;
          return history_;
        },
        [](RoutingRules rules) {
          return RoutingPolicy::Create(std::move(rules), testutil::FixedZones());
        },
        limits);
    grpc::ServerBuilder b;
    b.RegisterService(service_.get());
    server_ = b.BuildAndStart();
    stub_ = rv1::RuleSimulationService::NewStub(server_->InProcessChannel({}));
  }
  void TearDown() override {
    if (server_) server_->Shutdown();
  }

  grpc::Status Call(const rv1::SimulateRulesRequest& req, rv1::SimulateRulesResponse* resp,
                    const std::string& key = "key-analyst") {
    grpc::ClientContext ctx;
    if (!key.empty()) ctx.AddMetadata("x-api-key", key);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return stub_->SimulateRules(&ctx, req, resp);
  }

  rv1::SimulateRulesRequest Request(const RoutingRules& rules, int64_t from_ms = kStartMs,
                                    int64_t to_ms = kStartMs + 3 * kDayMs) {
    rv1::SimulateRulesRequest req;
    req.set_rules_json(Json(rules));
    *req.mutable_from() = TimeUtil::MillisecondsToTimestamp(from_ms);
    *req.mutable_to() = TimeUtil::MillisecondsToTimestamp(to_ms);
    return req;
  }

  std::shared_ptr<const RoutingPolicy> policy_;
  SimulationHistory history_;
  std::unique_ptr<RuleSimulationGrpcService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<rv1::RuleSimulationService::Stub> stub_;
  int reads_ = 0;
  std::chrono::milliseconds last_timeout_{0};
  Status read_status_;
};

TEST_F(RuleSimulationGrpcServiceTest, OnlyACallerWithTheSimulateScopeIsAnswered) {
  Start(/*with_auth=*/true);
  const auto req = Request(Rules());
  rv1::SimulateRulesResponse resp;
  EXPECT_EQ(Call(req, &resp, "").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Call(req, &resp, "key-unknown").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  const grpc::Status team = Call(req, &resp, "key-ka");
  EXPECT_EQ(team.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_NE(team.error_message().find("rules:simulate"), std::string::npos);
  EXPECT_EQ(reads_, 0) << "a refused call reads no history";
  const grpc::Status ok = Call(req, &resp);
  ASSERT_TRUE(ok.ok()) << ok.error_message();
  EXPECT_EQ(reads_, 1);
  EXPECT_GT(resp.leads_in_window(), 2000);
}

TEST_F(RuleSimulationGrpcServiceTest, ClosedWithoutCallerAuth) {
  Start(/*with_auth=*/false);
  rv1::SimulateRulesResponse resp;
  EXPECT_EQ(Call(Request(Rules()), &resp).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(reads_, 0);
}

TEST_F(RuleSimulationGrpcServiceTest, BadRequestsAreRefusedNamingTheField) {
  Start(/*with_auth=*/true);
  struct Case {
    std::function<void(rv1::SimulateRulesRequest&)> edit;
    std::string field;
  };
  RoutingRules bad_weight = Rules();
  bad_weight.mutable_teams(0)->mutable_reps(0)->set_weight(-3);
  const std::vector<Case> cases = {
      {[](auto& r) { r.clear_rules_json(); }, "rules_json"},
      {[](auto& r) { r.set_rules_json("{\"teams\": 3}"); }, "rules_json"},
      {[](auto& r) { r.set_rules_json("{\"no_such_field\": 1}"); }, "no_such_field"},
      {[&](auto& r) { r.set_rules_json(Json(bad_weight)); }, "weight"},
      {[](auto& r) { r.clear_from(); }, "from"},
      {[](auto& r) { r.clear_to(); }, "to"},
      {[](auto& r) { *r.mutable_to() = r.from(); }, "to"},
      {[](auto& r) { *r.mutable_to() = TimeUtil::MillisecondsToTimestamp(kStartMs + 32 * kDayMs); },
       "to: the window is at most 744 hours"},
      {[](auto& r) { r.set_max_changes(1001); }, "max_changes"},
  };
  for (const auto& c : cases) {
    auto req = Request(Rules());
    c.edit(req);
    rv1::SimulateRulesResponse resp;
    const grpc::Status s = Call(req, &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.field;
    EXPECT_NE(s.error_message().find(c.field), std::string::npos) << s.error_message();
  }
  EXPECT_EQ(reads_, 0) << "nothing read for a bad request";
  // A window of exactly 31 days is allowed.
  rv1::SimulateRulesResponse resp;
  EXPECT_TRUE(Call(Request(Rules(), kStartMs, kStartMs + 31 * kDayMs), &resp).ok());
}

TEST_F(RuleSimulationGrpcServiceTest, TheReadIsBoundedAndAFailedReadIsUnavailable) {
  RuleSimulationGrpcService::Limits limits;
  limits.read_timeout = std::chrono::seconds(5);
  Start(/*with_auth=*/true, limits);
  rv1::SimulateRulesResponse resp;
  ASSERT_TRUE(Call(Request(Rules()), &resp).ok());
  EXPECT_GT(last_timeout_.count(), 0);
  EXPECT_LE(last_timeout_.count(), 5000);
  read_status_ = Status::Unavailable("leads.scored: timed out");
  const grpc::Status s = Call(Request(Rules()), &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_NE(s.error_message().find("leads.scored"), std::string::npos);
}

// The response is the report, field for field: compared with the engine run
// directly on the same history, window and rules.
TEST_F(RuleSimulationGrpcServiceTest, TheResponseMapsTheReport) {
  Start(/*with_auth=*/true);
  RoutingRules candidate = Rules();
  for (auto& team : *candidate.mutable_teams()) {
    for (auto& rep : *team.mutable_reps()) {
      if (rep.rep_id() == "ka-c") rep.set_weight(6);
    }
  }
  const int64_t from = kStartMs + kDayMs / 2, to = kStartMs + 2 * kDayMs;
  SimulationOptions o;
  o.from_ms = from;
  o.to_ms = to;
  const SimulationReport want = RuleSimulation(testutil::MustPolicy(candidate)).Run(history_, o);
  ASSERT_GT(want.changes.size(), 3u);

  auto req = Request(candidate, from, to);
  req.set_max_changes(3);
  req.set_lead_id(want.changes[0].lead_id);
  rv1::SimulateRulesResponse got;
  const grpc::Status s = Call(req, &got);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(got.rules_version(), want.rules_version);
  EXPECT_EQ(TimeUtil::TimestampToMilliseconds(got.from()), from);
  EXPECT_EQ(TimeUtil::TimestampToMilliseconds(got.to()), to);
  EXPECT_EQ(got.leads_in_window(), want.leads_in_window);
  EXPECT_EQ(got.leads_replayed(), want.leads_replayed);
  EXPECT_EQ(got.unmatched(), want.unmatched);
  EXPECT_EQ(got.actual_outcomes().size(), want.actual_outcomes.size());
  for (const auto& [k, v] : want.simulated_outcomes) EXPECT_EQ(got.simulated_outcomes().at(k), v);
  ASSERT_EQ(got.changes_size(), 3);
  EXPECT_EQ(got.changes_total(), static_cast<int64_t>(want.changes.size()));
  EXPECT_TRUE(got.changes_truncated());
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(got.changes(i).lead_id(), want.changes[i].lead_id);
    EXPECT_EQ(TimeUtil::TimestampToMilliseconds(got.changes(i).at()), want.changes[i].at_ms);
    EXPECT_EQ(got.changes(i).actual().SerializeAsString(),
              want.changes[i].actual.SerializeAsString());
    EXPECT_EQ(got.changes(i).simulated().SerializeAsString(),
              want.changes[i].simulated.SerializeAsString());
    EXPECT_FALSE(got.changes(i).simulated().path().empty());
  }
  for (const auto& [k, v] : want.changes_by_kind) EXPECT_EQ(got.changes_by_kind().at(k), v);
  ASSERT_EQ(got.reps_size(), static_cast<int>(want.reps.size()));
  for (size_t i = 0; i < want.reps.size(); ++i) {
    EXPECT_EQ(got.reps(i).rep_id(), want.reps[i].rep_id);
    EXPECT_EQ(got.reps(i).assigned(), want.reps[i].assigned);
    EXPECT_EQ(got.reps(i).actual_assigned(), want.reps[i].actual_assigned);
    EXPECT_EQ(got.reps(i).peak_open(), want.reps[i].peak_open);
    EXPECT_DOUBLE_EQ(got.reps(i).share(), want.reps[i].share);
    EXPECT_DOUBLE_EQ(got.reps(i).weight_share(), want.reps[i].weight_share);
    EXPECT_EQ(got.reps(i).off_weight(), want.reps[i].off_weight);
  }
  ASSERT_EQ(got.queue_depth_size(), static_cast<int>(want.queue_depth.size()));
  EXPECT_EQ(got.queue_drains(), want.queue_drains);
  EXPECT_EQ(got.actual_queue_drains(), want.actual_queue_drains);
  EXPECT_EQ(got.sla_reassigned(), want.sla_reassigned);
  EXPECT_EQ(got.sla_missed_assigned(), want.sla_missed_assigned);
  EXPECT_EQ(got.actual_sla_missed_assigned(), want.actual_sla_missed_assigned);
  EXPECT_GT(got.lead_simulated_size(), 0) << "the one-lead preview";
  EXPECT_GT(got.lead_actual_size(), 0);
  // Unchanged rules: an empty diff.
  rv1::SimulateRulesResponse same;
  ASSERT_TRUE(Call(Request(Rules(), from, to), &same).ok());
  EXPECT_EQ(same.changes_total(), 0);
  EXPECT_EQ(same.changes_size(), 0);
}

}  // namespace
}  // namespace leadflow::routing
