// Deal stages after acceptance and a stall (docs/domain-rules.md §6,
// config/README.md deal_stages) over the real binaries (intake, scoring,
// routing, nurture), devkafka and redis-server, on the shipped config/ with
// routing's deal-stage clock scaled (LEADFLOW_ROUTING_STAGE_TIME_SCALE:
// contract_approval's 30 days pass in 10 s):
//   1. An 80 mln deal is assigned to key-accounts and accepted over gRPC.
//   2. The sales tool moves it to qualification and presale over gRPC
//      (AdvanceStage), then to proposal on its team's topic
//      sales.feedback.key-accounts; going back without a reason, another
//      team's key and no key are refused.
//   3. It moves to contract_approval and stays: after 10 s a DealStalled is on
//      deals.stalls, leadflow_routing_deal_stalls_total counts it and GetLead
//      shows it stalled. deals.stages holds every move, ids only. The team
//      lead's WatchAssignments stream (team key-accounts) saw every stage,
//      the one moved on the topic included, and the stall.
//   4. The deal is lost to a competitor (CloseLead LOST, issue 17.3; the
//      shipped require_loss_reason): a LOST without a loss reason is refused;
//      with LOST_TO_COMPETITOR and the competitor's name it closes, and
//      leadflow_routing_deals_lost_total counts the code, never the name.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/kafka/topics.h"
#include "leadflow/routing/v1/routing.grpc.pb.h"
#include "common/testing/kafka_test_client.h"
#include "common/testing/paths.h"
#include "stack.h"

namespace leadflow::e2e {
namespace {

namespace rv1 = leadflow::routing::v1;
using std::chrono::seconds;

// The shipped demo API key of the key-accounts sales tool (config/README.md).
constexpr char kKeyAccountsKey[] = "demo-key-key-accounts";
constexpr char kEmail[] = "cio@stagecorp.ru";

// The shipped stages with routing's deal-stage clock scaled (demo and test
// only): 30 days of contract approval pass in 10 s, and the earlier stages,
// passed through within seconds, never stall.
constexpr char kStageTimeScale[] = "259200";

class DealStagesE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    StackOptions opts;
    opts.env["routing"]["LEADFLOW_ROUTING_STAGE_TIME_SCALE"] = kStageTimeScale;
    stack_ = Stack::Start(opts, &error);
    ASSERT_TRUE(stack_) << error;
    kafka_ = std::make_unique<testing::KafkaTestClient>(stack_->bootstrap());
    stub_ = rv1::RoutingService::NewStub(
        grpc::CreateChannel(stack_->grpc_address("routing"), grpc::InsecureChannelCredentials()));
  }

  std::unique_ptr<grpc::ClientContext> Ctx() {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->AddMetadata("x-api-key", kKeyAccountsKey);
    ctx->set_deadline(std::chrono::system_clock::now() + seconds(10));
    return ctx;
  }

  grpc::Status Advance(const rv1::LeadAssigned& a, const std::string& stage, int64_t value,
                       rv1::FeedbackAck* ack, int64_t expected = 0) {
    rv1::AdvanceStageRequest req;
    req.set_lead_id(a.scored().lead().meta().lead_id());
    req.set_rep_id(a.decision().rep_id());
    req.set_stage(stage);
    req.set_deal_value_rub(value);
    req.set_expected_version(expected);
    return stub_->AdvanceStage(Ctx().get(), req, ack);
  }

  template <typename T>
  std::vector<T> Read(const char* topic, size_t at_least) {
    std::vector<T> out;
    for (const auto& m : kafka_->ConsumeAll(topic, at_least, seconds(2))) {
      T e;
      if (e.ParseFromString(m.value)) out.push_back(e);
    }
    return out;
  }

  std::unique_ptr<Stack> stack_;
  std::unique_ptr<testing::KafkaTestClient> kafka_;
  std::unique_ptr<rv1::RoutingService::Stub> stub_;
};

TEST_F(DealStagesE2E, ADealMovesThroughStagesByGrpcAndTopicAndStallsInContractApproval) {
  // 1. Assigned (80 mln: the large-deal rule sends it to key-accounts) and accepted.
  const std::string json =
      std::string(R"({"source_id":"web-form-main","email":")") + kEmail +
      R"(","company_name":"StageCorp","job_title":"CIO","industry":"manufacturing",)"
      R"("headcount":500,"region":"RU-MOW","annual_revenue_rub":"5000000000",)"
      R"("intent":"download_whitepaper","channel":"direct","consent":true,)"
      R"("expected_deal_rub":"80000000","answers":{"budget":"over_50m","need":"urgent",)"
      R"("timeline":"now"}})";
  ASSERT_TRUE(kafka_
                  ->ProduceSync(topics::kLeadsSubmitted, kEmail, json,
                                {{topics::kContentTypeHeader, "application/json"}})
                  .ok);
  rv1::LeadAssigned a;
  ASSERT_TRUE(WaitFor(
      [&] {
        for (const auto& r : Read<rv1::LeadAssigned>(topics::kLeadsAssigned, 1)) {
          if (r.scored().lead().contact().email() == kEmail) {
            a = r;
            return true;
          }
        }
        return false;
      },
      seconds(60)))
      << stack_->Logs("routing");
  ASSERT_EQ(a.decision().team(), "key-accounts");
  const std::string lead_id = a.scored().lead().meta().lead_id();
  rv1::FeedbackAck ack;
  {
    rv1::AcceptLeadRequest req;
    req.set_lead_id(lead_id);
    req.set_rep_id(a.decision().rep_id());
    auto st = stub_->AcceptLead(Ctx().get(), req, &ack);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }

  // The team lead's stream, from here on.
  grpc::ClientContext watch_ctx;
  watch_ctx.AddMetadata("x-api-key", kKeyAccountsKey);
  std::mutex mu;
  std::vector<rv1::LeadChange> changes;
  std::thread watcher([&] {
    rv1::WatchAssignmentsRequest req;
    req.set_team("key-accounts");
    auto reader = stub_->WatchAssignments(&watch_ctx, req);
    rv1::LeadAssigned e;
    while (reader->Read(&e)) {
      std::lock_guard lock(mu);
      changes.push_back(e.change());
    }
    reader->Finish();
  });
  struct StopWatch {
    grpc::ClientContext& ctx;
    std::thread& t;
    ~StopWatch() {
      ctx.TryCancel();
      t.join();
    }
  } stop_watch{watch_ctx, watcher};
  auto streamed = [&](const std::string& stage, bool stalled) {
    std::lock_guard lock(mu);
    for (const auto& c : changes) {
      if (c.lead_id() == lead_id && c.state() == rv1::SALES_IN_STAGE && c.stage() == stage &&
          c.stalled() == stalled) {
        return true;
      }
    }
    return false;
  };

  // 2. Two stages over gRPC, one on the team's topic.
  rv1::FeedbackAck q, p;
  auto st = Advance(a, "qualification", 80000000, &q);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(q.state(), rv1::SALES_IN_STAGE);
  EXPECT_EQ(q.win_probability_pct(), 10);
  st = Advance(a, "presale", 0, &p, q.version());
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(p.win_probability_pct(), 20);
  // Back without a reason: refused; another rep's key: refused.
  EXPECT_EQ(Advance(a, "qualification", 0, &ack).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  {
    rv1::AdvanceStageRequest req;
    req.set_lead_id(lead_id);
    req.set_rep_id(a.decision().rep_id());
    req.set_stage("proposal");
    grpc::ClientContext ctx;
    ctx.AddMetadata("x-api-key", "demo-key-enterprise");
    EXPECT_EQ(stub_->AdvanceStage(&ctx, req, &ack).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  {
    rv1::AdvanceStageRequest req;
    req.set_lead_id(lead_id);
    req.set_rep_id(a.decision().rep_id());
    req.set_stage("proposal");
    grpc::ClientContext ctx;  // no credentials
    EXPECT_EQ(stub_->AdvanceStage(&ctx, req, &ack).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
  }
  rv1::SalesFeedback fb;
  fb.set_lead_id(lead_id);
  fb.set_rep_id(a.decision().rep_id());
  fb.set_kind(rv1::STAGE);
  fb.set_stage("proposal");
  fb.set_deal_value_rub(75000000);
  ASSERT_TRUE(kafka_
                  ->ProduceSync(std::string(topics::kSalesFeedbackTeamPrefix) + "key-accounts",
                                lead_id, fb.SerializeAsString())
                  .ok);
  // The team lead's stream reports the topic's move (found by its poll of
  // Redis within watch_poll; a state superseded before a poll is not
  // reported, so the tool waits for it here before moving on).
  EXPECT_TRUE(WaitFor([&] { return streamed("proposal", false); }, seconds(20)));
  rv1::LeadView view;
  ASSERT_TRUE(WaitFor(
      [&] {
        rv1::GetLeadRequest req;
        req.set_lead_id(lead_id);
        return stub_->GetLead(Ctx().get(), req, &view).ok() && view.stage() == "proposal";
      },
      seconds(20)))
      << stack_->Logs("routing");
  EXPECT_EQ(view.win_probability_pct(), 30);
  EXPECT_EQ(view.deal_value_rub(), 75000000);

  // 3. Contract approval, kept past its 30 days (10 s at the test's scale).
  rv1::FeedbackAck c;
  st = Advance(a, "contract_approval", 0, &c, view.version());
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(c.win_probability_pct(), 40);
  std::vector<rv1::DealStalled> stalls;
  ASSERT_TRUE(WaitFor(
      [&] {
        stalls = Read<rv1::DealStalled>(topics::kDealsStalls, 1);
        return !stalls.empty();
      },
      seconds(20)))
      << stack_->Logs("routing");
  ASSERT_EQ(stalls.size(), 1u);
  EXPECT_EQ(stalls[0].lead_id(), lead_id);
  EXPECT_EQ(stalls[0].stage(), "contract_approval");
  EXPECT_EQ(stalls[0].owner(), "REP");
  EXPECT_EQ(stalls[0].team(), "key-accounts");
  EXPECT_EQ(stalls[0].stage_version(), c.version());
  EXPECT_GE(stalls[0].ms_in_stage(), 10000);
  EXPECT_EQ(stalls[0].max_ms_in_stage(), 10000);
  const int admin = stack_->ports("routing").admin;
  const std::string series =
      R"(leadflow_routing_deal_stalls_total{stage="contract_approval",team="key-accounts"})";
  EXPECT_TRUE(WaitFor([&] { return MetricValue(admin, series) == 1; }, seconds(10)))
      << MetricValue(admin, series);
  rv1::GetLeadRequest req;
  req.set_lead_id(lead_id);
  ASSERT_TRUE(stub_->GetLead(Ctx().get(), req, &view).ok());
  EXPECT_TRUE(view.stalled());
  EXPECT_EQ(view.stage(), "contract_approval");

  // Every move is on deals.stages, in order, with its probability; ids only.
  auto moves = Read<rv1::DealStageChanged>(topics::kDealsStages, 4);
  ASSERT_EQ(moves.size(), 4u);  // one lead: one partition, in order
  const std::vector<std::pair<std::string, int>> want = {
      {"qualification", 10}, {"presale", 20}, {"proposal", 30}, {"contract_approval", 40}};
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(moves[i].stage(), want[i].first);
    EXPECT_EQ(moves[i].win_probability_pct(), want[i].second);
    EXPECT_EQ(moves[i].previous_stage(), i == 0 ? "" : want[i - 1].first);
    EXPECT_EQ(moves[i].lead_id(), lead_id);
  }
  EXPECT_EQ(moves[3].deal_value_rub(), 75000000);
  // The team lead's stream reported each stage (the topic's found by its
  // poll) and the stall, with the stage's probability.
  EXPECT_TRUE(WaitFor([&] { return streamed("contract_approval", true); }, seconds(10)));
  for (const char* stage : {"qualification", "presale", "contract_approval"}) {
    EXPECT_TRUE(WaitFor([&] { return streamed(stage, false); }, seconds(5))) << "stage " << stage;
  }
  for (const auto& m : kafka_->ConsumeAll(topics::kDealsStages, 4, seconds(2))) {
    EXPECT_EQ(m.value.find(kEmail), std::string::npos) << "personal data on deals.stages";
  }

  // 4. Lost to a competitor: the code shows in the reason metric.
  rv1::CloseLeadRequest close;
  close.set_lead_id(lead_id);
  close.set_rep_id(a.decision().rep_id());
  close.set_outcome(rv1::LOST);
  rv1::FeedbackAck lost;
  st = stub_->CloseLead(Ctx().get(), close, &lost);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message().rfind("loss_reason:", 0), 0u) << st.error_message();
  close.set_loss_reason(leadflow::common::v1::LOST_TO_COMPETITOR);
  close.set_loss_detail("Acme Integration");
  st = stub_->CloseLead(Ctx().get(), close, &lost);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(lost.status(), "closed: LOST (LOST_TO_COMPETITOR)");
  const std::string lost_series =
      R"(leadflow_routing_deals_lost_total{reason="LOST_TO_COMPETITOR",team="key-accounts"})";
  EXPECT_TRUE(WaitFor([&] { return MetricValue(admin, lost_series) == 1; }, seconds(10)))
      << MetricValue(admin, lost_series);
  EXPECT_EQ(HttpGet(admin, "/metrics").find("Acme"), std::string::npos)
      << "the competitor's name in the metrics";
  ASSERT_TRUE(stub_->GetLead(Ctx().get(), req, &view).ok());
  EXPECT_EQ(view.state(), rv1::SALES_CLOSED);
  EXPECT_EQ(view.loss_reason(), leadflow::common::v1::LOST_TO_COMPETITOR);
}

}  // namespace
}  // namespace leadflow::e2e
