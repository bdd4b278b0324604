// Scoring end to end over the real leadflow-scoring binary (with devkafka and
// redis-server): leads in on leads.accepted, engagement on engagement.events,
// LeadScored revisions read back from leads.scored; Explain over gRPC; and
// model hot reload — a bad model file is refused (old model stays, visible in
// /metrics and the log), a good one is picked up without a restart.
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <thread>

#include "common/kafka/topics.h"
#include "leadflow/engagement/v1/engagement.pb.h"
#include "leadflow/scoring/v1/scoring.grpc.pb.h"
#include "common/testing/child_process.h"
#include "common/testing/dev_kafka.h"
#include "common/testing/kafka_test_client.h"
#include "common/testing/paths.h"
#include "common/testing/redis_server.h"
#include "common/testing/service_process.h"
#include "common/testing/temp_dir.h"
#include "stack.h"

namespace leadflow::e2e {
namespace {

using google::protobuf::util::TimeUtil;
using leadflow::scoring::v1::LeadScored;
using std::chrono::milliseconds;
using std::chrono::seconds;

int64_t NowMs() {
  return std::chrono::duration_cast<milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Mid-market economic decision maker, only exploring: 63 points on the
// shipped model (fit 45 + BANT 90 * 0.2), below the MQL threshold of 100.
leadflow::intake::v1::LeadAccepted NurturedLead(const std::string& n) {
  leadflow::intake::v1::LeadAccepted l;
  auto* meta = l.mutable_meta();
  meta->set_lead_id("L-e2e-scoring-" + n);
  meta->set_trace_id("trace-" + n);
  meta->set_account_key("midcorp" + n + ".ru");
  meta->set_relationship(leadflow::common::v1::PROSPECT);
  auto* c = l.mutable_contact();
  c->set_contact_id("c-e2e-" + n);
  c->set_buyer_class(leadflow::common::v1::ECONOMIC);
  c->set_decision_role(leadflow::common::v1::DECISION_MAKER);
  auto* co = l.mutable_company();
  co->set_industry("retail");
  co->set_headcount(800);
  co->set_annual_revenue_rub(5'000'000'000);
  co->set_region("RU-SPE");
  l.set_expected_deal_rub(25'000'000);
  (*l.mutable_answers())["budget"] = "5_20m";
  (*l.mutable_answers())["need"] = "exploring";
  (*l.mutable_answers())["timeline"] = "3_6m";
  return l;
}

class ScoringServiceE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    dir_ = testing::TempDir::Create("scoring-e2e", &error);
    ASSERT_NE(dir_, nullptr) << error;
    auto shipped = testing::ReadFileToString(testing::SourcePath("config/scoring_model.json"));
    ASSERT_TRUE(shipped.has_value());
    shipped_ = *shipped;
    WriteModel(shipped_);

    redis_ = testing::RedisServer::Start({}, &error);
    ASSERT_NE(redis_, nullptr) << error;
    testing::DevKafkaOptions ko;
    ko.quiet = true;
    kafka_ = testing::DevKafka::Start(ko, &error);
    ASSERT_NE(kafka_, nullptr) << error;

    testing::ServiceProcessOptions o;
    o.service = "scoring";
    o.kafka_bootstrap = kafka_->bootstrap();
    o.redis_url = redis_->url();
    o.config_dir = dir_->path();
    o.work_dir = dir_->path();
    o.env = {{"LEADFLOW_SCORING_MODEL_POLL_MS", "100"}};
    testing::ServicePorts ports;
    scoring_ = testing::StartService(o, &ports, &error);
    ASSERT_NE(scoring_, nullptr) << error;
    admin_port_ = ports.admin_port;
    grpc_port_ = ports.grpc_port;
    stub_ = leadflow::scoring::v1::ScoringService::NewStub(grpc::CreateChannel(
        "127.0.0.1:" + std::to_string(grpc_port_), grpc::InsecureChannelCredentials()));
    client_ = std::make_unique<testing::KafkaTestClient>(kafka_->bootstrap());
  }

  void TearDown() override {
    if (scoring_) {
      EXPECT_EQ(scoring_->Terminate(seconds(20)), 0) << scoring_->Describe();
    }
  }

  // Atomic replace, as a ConfigMap update or an editor's save-and-rename does.
  void WriteModel(const std::string& text) {
    const std::string tmp = dir_->File("scoring_model.json.tmp");
    {
      std::ofstream out(tmp, std::ios::trunc);
      out << text;
    }
    ASSERT_EQ(std::rename(tmp.c_str(), dir_->File("scoring_model.json").c_str()), 0);
  }

  void Accept(const leadflow::intake::v1::LeadAccepted& lead) {
    const auto r = client_->ProduceSync(topics::kLeadsAccepted, lead.meta().account_key(),
                                        lead.SerializeAsString());
    ASSERT_TRUE(r.ok) << r.error;
  }

  void Engage(const leadflow::intake::v1::LeadAccepted& lead, const std::string& event_id,
              leadflow::engagement::v1::EngagementType type) {
    leadflow::engagement::v1::EngagementEvent e;
    e.set_event_id(event_id);
    e.set_contact_id(lead.contact().contact_id());
    e.set_type(type);
    *e.mutable_occurred_at() = TimeUtil::MillisecondsToTimestamp(NowMs());
    const auto r = client_->ProduceSync(topics::kEngagementEvents, e.contact_id(),
                                        e.SerializeAsString());
    ASSERT_TRUE(r.ok) << r.error;
  }

  // All LeadScored of `lead_id` on leads.scored once there are `count`, by revision.
  std::vector<LeadScored> ScoredFor(const std::string& lead_id, size_t count) {
    std::vector<LeadScored> out;
    const auto deadline = std::chrono::steady_clock::now() + seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      out.clear();
      for (const auto& m : client_->ConsumeAll(topics::kLeadsScored, 1000, seconds(2))) {
        LeadScored s;
        if (s.ParseFromString(m.value) && s.lead().meta().lead_id() == lead_id) {
          out.push_back(std::move(s));
        }
      }
      if (out.size() >= count) break;
    }
    std::sort(out.begin(), out.end(),
              [](const auto& a, const auto& b) { return a.revision() < b.revision(); });
    return out;
  }

  // Polls /metrics until `needle` appears.
  bool MetricsEventually(const std::string& needle) {
    for (int i = 0; i < 100; ++i) {
      if (HttpGet(admin_port_, "/metrics").find(needle) != std::string::npos) return true;
      std::this_thread::sleep_for(milliseconds(100));
    }
    return false;
  }

  std::unique_ptr<testing::TempDir> dir_;
  std::string shipped_;
  std::unique_ptr<testing::RedisServer> redis_;
  std::unique_ptr<testing::DevKafka> kafka_;
  std::unique_ptr<testing::ChildProcess> scoring_;
  int admin_port_ = 0;
  int grpc_port_ = 0;
  std::unique_ptr<leadflow::scoring::v1::ScoringService::Stub> stub_;
  std::unique_ptr<testing::KafkaTestClient> client_;
};

TEST_F(ScoringServiceE2eTest, EngagementPromotesToMqlAndExplainAnswersOverGrpc) {
  ASSERT_TRUE(MetricsEventually("leadflow_scoring_model_info{version=\"2026.11-default\"} 1"));
  const auto lead = NurturedLead("1");
  Accept(lead);
  auto scored = ScoredFor(lead.meta().lead_id(), 1);
  ASSERT_EQ(scored.size(), 1u) << scoring_->Describe();
  EXPECT_EQ(scored[0].lifecycle_stage(), leadflow::common::v1::LEAD);
  EXPECT_DOUBLE_EQ(scored[0].total_score(), 63);

  Engage(lead, "e2e-meeting-1", leadflow::engagement::v1::MEETING_BOOKED);  // +40
  scored = ScoredFor(lead.meta().lead_id(), 2);
  ASSERT_EQ(scored.size(), 2u) << scoring_->Describe();
  EXPECT_EQ(scored[1].revision(), 2);
  EXPECT_EQ(scored[1].lifecycle_stage(), leadflow::common::v1::MQL);

  grpc::ClientContext ctx;
  ctx.AddMetadata("x-api-key", "demo-key-sales-analyst");  // leads:explain (config/callers.json)
  leadflow::scoring::v1::ExplainRequest req;
  req.set_lead_id(lead.meta().lead_id());
  leadflow::scoring::v1::ExplainResponse resp;
  const auto st = stub_->Explain(&ctx, req, &resp);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(resp.score().revision(), 2);
  EXPECT_EQ(resp.score().lifecycle_stage(), leadflow::common::v1::MQL);
  EXPECT_TRUE(MetricsEventually("leadflow_scoring_mql_promotions_total 1"));
}

TEST_F(ScoringServiceE2eTest, ModelHotReloadRefusesABadFileAndPicksUpAGoodOne) {
  ASSERT_TRUE(MetricsEventually("leadflow_scoring_model_info{version=\"2026.11-default\"} 1"));

  // A bad model (a BANT rating outside 1..5): refused, the old model stays.
  std::string bad = std::regex_replace(shipped_, std::regex("\"over_50m\": 5"), "\"over_50m\": 7");
  bad = std::regex_replace(bad, std::regex("2026\\.11-default"), "2026.12-bad");
  ASSERT_NE(bad, shipped_);
  WriteModel(bad);
  ASSERT_TRUE(MetricsEventually("leadflow_scoring_model_reloads_total{result=\"rejected\"} 1"))
      << scoring_->Describe();
  const std::string log = scoring_->ReadStderr();
  EXPECT_NE(log.find("scoring model refused"), std::string::npos) << log;
  EXPECT_NE(log.find("outside 1..5"), std::string::npos) << log;
  EXPECT_NE(HttpGet(admin_port_, "/metrics")
                .find("leadflow_scoring_model_info{version=\"2026.11-default\"} 1"),
            std::string::npos);
  const auto a = NurturedLead("2");
  Accept(a);
  auto scored = ScoredFor(a.meta().lead_id(), 1);
  ASSERT_EQ(scored.size(), 1u) << scoring_->Describe();
  EXPECT_EQ(scored[0].model_version(), "2026.11-default");
  EXPECT_EQ(scored[0].lifecycle_stage(), leadflow::common::v1::LEAD);

  // A good model with a lower MQL threshold: used from the next score on, no restart.
  std::string good = std::regex_replace(shipped_, std::regex("\"mql_threshold\": 100"),
                                        "\"mql_threshold\": 60");
  good = std::regex_replace(good, std::regex("2026\\.11-default"), "2026.12-e2e");
  ASSERT_NE(good, shipped_);
  WriteModel(good);
  ASSERT_TRUE(MetricsEventually("leadflow_scoring_model_info{version=\"2026.12-e2e\"} 1"))
      << scoring_->Describe();
  EXPECT_TRUE(MetricsEventually("leadflow_scoring_model_info{version=\"2026.11-default\"} 0"));
  Engage(a, "e2e-open-1", leadflow::engagement::v1::EMAIL_OPENED);
  scored = ScoredFor(a.meta().lead_id(), 2);
  ASSERT_EQ(scored.size(), 2u) << scoring_->Describe();
  EXPECT_EQ(scored[1].model_version(), "2026.12-e2e");
  EXPECT_EQ(scored[1].lifecycle_stage(), leadflow::common::v1::MQL);  // 64 >= 60
}

}  // namespace
}  // namespace leadflow::e2e
