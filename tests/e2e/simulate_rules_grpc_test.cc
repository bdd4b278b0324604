// RuleSimulationService.SimulateRules on the real leadflow-routing binary
// (issue 19.1, docs/simulation.md): the sample leads flow through the real
// services, then routing replays the topics' history on request. A call
// without a key is UNAUTHENTICATED and a team's sales tool PERMISSION_DENIED
// (closed by default: only a caller with the "rules:simulate" scope); the
// scoped caller gets an empty diff for the rules routing ran and a non-empty
// one once the busiest rep's weight changes.
#include <google/protobuf/util/time_util.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>

#include "leadflow/routing/v1/simulation.grpc.pb.h"
#include "routing_rules_copy.h"
#include "common/testing/child_process.h"
#include "common/testing/paths.h"
#include "common/testing/temp_dir.h"
#include "stack.h"

namespace leadflow::e2e {
namespace {

namespace rv1 = leadflow::routing::v1;
using google::protobuf::util::TimeUtil;
using std::chrono::seconds;

constexpr char kAnalystKey[] = "e2e-key-rules-analyst";
// sha256("e2e-key-rules-analyst")
constexpr char kAnalystKeySha256[] =
    "82e5312e2c850df54edc7658c7781d114e90dd6ba109978636a3996950d971bd";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class SimulateRulesGrpcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    config_ = testing::TempDir::Create("leadflow-simulate-grpc", &error);
    ASSERT_NE(config_, nullptr) << error;
    ASSERT_TRUE(CopyConfigWithRoutingRules(
        *config_,
        [](leadflow::config::v1::RoutingRules& rules) {
          auto* analyst = rules.add_callers();
          analyst->set_caller_id("e2e-rules-analyst");
          analyst->set_api_key_sha256(kAnalystKeySha256);
          analyst->add_scopes("rules:simulate");
        },
        &error))
        << error;
    rules_ = ReadFile(config_->path() + "/routing_rules.json");
    StackOptions options;
    options.config_dir = config_->path();
    stack_ = Stack::Start(options, &error);
    ASSERT_NE(stack_, nullptr) << error;
    stub_ = rv1::RuleSimulationService::NewStub(
        grpc::CreateChannel(stack_->grpc_address("routing"), grpc::InsecureChannelCredentials()));
  }

  int Cli(std::vector<std::string> args, std::chrono::seconds timeout = seconds(60)) {
    testing::ChildProcessOptions o;
    o.binary = testing::BinPath("leadflow-cli");
    o.args = std::move(args);
    o.env["LEADFLOW_KAFKA_BROKERS"] = stack_->bootstrap();
    std::string error;
    auto p = testing::ChildProcess::Start(o, &error);
    if (p == nullptr) {
      ADD_FAILURE() << error;
      return -1;
    }
    auto code = p->WaitForExit(timeout);
    if (!code) {
      p->Kill();
      return -1;
    }
    return *code;
  }

  grpc::Status Simulate(const std::string& rules_json, const std::string& key,
                        rv1::SimulateRulesResponse* resp) {
    rv1::SimulateRulesRequest req;
    req.set_rules_json(rules_json);
    const auto now = std::chrono::system_clock::now();
    *req.mutable_from() = TimeUtil::TimeTToTimestamp(
        std::chrono::system_clock::to_time_t(now - std::chrono::hours(1)));
    *req.mutable_to() = TimeUtil::TimeTToTimestamp(
        std::chrono::system_clock::to_time_t(now + std::chrono::hours(1)));
    req.set_max_changes(1000);
    grpc::ClientContext ctx;
    if (!key.empty()) ctx.AddMetadata("x-api-key", key);
    ctx.set_deadline(now + seconds(60));
    return stub_->SimulateRules(&ctx, req, resp);
  }

  std::unique_ptr<testing::TempDir> config_;
  std::string rules_;
  std::unique_ptr<Stack> stack_;
  std::unique_ptr<rv1::RuleSimulationService::Stub> stub_;
};

TEST_F(SimulateRulesGrpcTest, ScopedCallerSeesAnEmptyDiffForTheLiveRulesAndMovesForAWeight) {
  const std::string leads = testing::SourcePath("samples/leads.jsonl");
  int submitted = 0;
  {
    std::ifstream in(leads);
    for (std::string line; std::getline(in, line);) submitted += !line.empty();
  }
  ASSERT_EQ(Cli({"submit", leads}), 0);
  ASSERT_EQ(Cli({"watch", "--expect", std::to_string(submitted), "--timeout", "60"}, seconds(90)),
            0);

  // Closed by default: no key, and a team's sales tool (a configured caller
  // without the scope), are refused before anything is read.
  rv1::SimulateRulesResponse resp;
  EXPECT_EQ(Simulate(rules_, "", &resp).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Simulate(rules_, "demo-key-small-deals", &resp).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // The rules routing ran: nothing changes.
  rv1::SimulateRulesResponse same;
  const grpc::Status ok = Simulate(rules_, kAnalystKey, &same);
  ASSERT_TRUE(ok.ok()) << ok.error_message();
  EXPECT_GE(same.leads_in_window(), 40) << same.DebugString();
  EXPECT_EQ(same.unmatched(), 0);
  EXPECT_EQ(same.changes_total(), 0) << same.DebugString();
  EXPECT_EQ(same.changes_size(), 0);
  // The busiest team with two reps or more: its busiest rep gets a far
  // larger weight, so leads routing gave that team's other reps move to it.
  std::map<std::string, std::pair<int64_t, std::string>> busiest;  // team -> (assigned, rep)
  std::map<std::string, int> reps_used;
  for (const auto& rep : same.reps()) {
    EXPECT_EQ(rep.assigned(), rep.actual_assigned()) << rep.DebugString();
    if (rep.actual_assigned() == 0) continue;
    ++reps_used[rep.team()];
    auto& b = busiest[rep.team()];
    if (rep.actual_assigned() > b.first) b = {rep.actual_assigned(), rep.rep_id()};
  }
  std::string team, rep;
  for (const auto& [t, n] : reps_used) {
    if (n >= 2 && (team.empty() || busiest[t].first > busiest[team].first)) {
      team = t;
      rep = busiest[t].second;
    }
  }
  ASSERT_FALSE(team.empty()) << "no team spread its leads over two reps: " << same.DebugString();

  leadflow::config::v1::RoutingRules candidate;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(rules_, &candidate).ok());
  for (auto& t : *candidate.mutable_teams()) {
    for (auto& r : *t.mutable_reps()) {
      if (r.rep_id() == rep) r.set_weight(50);
    }
  }
  candidate.set_version("e2e-heavier-" + rep);
  std::string candidate_json;
  ASSERT_TRUE(google::protobuf::util::MessageToJsonString(candidate, &candidate_json).ok());
  rv1::SimulateRulesResponse moved;
  const grpc::Status changed = Simulate(candidate_json, kAnalystKey, &moved);
  ASSERT_TRUE(changed.ok()) << changed.error_message();
  EXPECT_EQ(moved.rules_version(), "e2e-heavier-" + rep);
  ASSERT_GT(moved.changes_total(), 0) << moved.DebugString();
  int to_rep = 0, in_team = 0;
  for (const auto& c : moved.changes()) {
    // A weight moves leads within its team. Another team may show a rep
    // swap: the replay orders a batch's partitions by trial against history
    // (docs/simulation.md), and under load a batch mixes teams, so a
    // candidate's different picks can reorder another team's round robin;
    // never a change of team or outcome there.
    if (c.actual().team() != team) {
      EXPECT_EQ(c.simulated().team(), c.actual().team()) << c.DebugString();
      EXPECT_EQ(c.simulated().outcome(), c.actual().outcome()) << c.DebugString();
      continue;
    }
    ++in_team;
    to_rep += c.simulated().rep_id() == rep;
    EXPECT_FALSE(c.actual().path().empty());
    EXPECT_FALSE(c.simulated().path().empty());
  }
  EXPECT_GT(in_team, 0) << moved.DebugString();
  EXPECT_GT(to_rep, 0) << moved.DebugString();
}

}  // namespace
}  // namespace leadflow::e2e
