// Scoring over real Kafka protocol (leadflow-devkafka) and a real
// redis-server, with the shipped default model: the two consumer loops the
// service runs, and ScoringService over a real gRPC server.
//
// A nurtured lead (LEAD, below the MQL threshold) crosses the threshold after
// engagement events; every event publishes a new LeadScored revision on
// leads.scored, and the promotion is visible there. Explain and what-if are
// then called over gRPC.
#include <google/protobuf/util/time_util.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <thread>

#include "common/kafka/consumer.h"
#include "common/kafka/consumer_loop.h"
#include "common/kafka/producer.h"
#include "common/kafka/topics.h"
#include "common/metrics/registry.h"
#include "common/metrics/service_metrics.h"
#include "leadflow/engagement/v1/engagement.pb.h"
#include "leadflow/scoring/v1/scoring.grpc.pb.h"
#include "scoring/app/explain_service.h"
#include "scoring/app/redis_engagement_store.h"
#include "scoring/app/redis_score_store.h"
#include "common/auth/scopes.h"
#include "common/testing/fixed_caller.h"
#include "scoring/app/model_reloader.h"
#include "scoring/app/scoring_handler.h"
#include "common/testing/dev_kafka.h"
#include "common/testing/kafka_test_client.h"
#include "common/testing/redis_server.h"
#include "common/testing/paths.h"

namespace leadflow::scoring {
namespace {

using google::protobuf::util::TimeUtil;
using leadflow::scoring::v1::LeadScored;

std::string ShippedModelPath() {
  return leadflow::testing::SourcePath("config/scoring_model.json");
}

// A mid-market economic decision maker who is only exploring:
// fit 20 + 15 + 10 = 45, BANT 3*5*2*3 = 90 -> 18 points; total 63 < 100.
leadflow::intake::v1::LeadAccepted NurturedLead() {
  leadflow::intake::v1::LeadAccepted l;
  auto* meta = l.mutable_meta();
  meta->set_lead_id("L-pipeline-0001");
  meta->set_trace_id("trace-pipeline");
  meta->set_account_key("midcorp.ru");
  meta->set_relationship(leadflow::common::v1::PROSPECT);
  auto* c = l.mutable_contact();
  c->set_contact_id("c-pipeline-0001");
  c->set_buyer_class(leadflow::common::v1::ECONOMIC);
  c->set_decision_role(leadflow::common::v1::DECISION_MAKER);
  auto* co = l.mutable_company();
  co->set_industry("retail");
  co->set_headcount(800);
  co->set_annual_revenue_rub(5'000'000'000);
  co->set_region("RU-SPE");
  l.set_buyer_stage(leadflow::common::v1::PROBLEM_AWARE);
  l.set_expected_deal_rub(25'000'000);
  (*l.mutable_answers())["budget"] = "5_20m";
  (*l.mutable_answers())["need"] = "exploring";
  (*l.mutable_answers())["timeline"] = "3_6m";
  return l;
}

class ScoringPipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    redis_ = testing::RedisServer::Start({}, &error);
    ASSERT_NE(redis_, nullptr) << error;
    testing::DevKafkaOptions ko;
    ko.quiet = true;
    kafka_ = testing::DevKafka::Start(ko, &error);
    ASSERT_NE(kafka_, nullptr) << error;

    redis::ClientOptions ro;
    ro.url = redis_->url();
    auto client = redis::Client::Connect(ro);
    ASSERT_TRUE(client.ok()) << client.status().message();
    redis_client_ = std::move(*client);
    auto policy = LoadScoringModel(ShippedModelPath());
    ASSERT_TRUE(policy.ok()) << policy.status().message();
    model_ = std::make_unique<ModelHolder>(*policy);
    store_ = std::make_unique<RedisScoreStore>(*redis_client_);
    engagement_ = std::make_unique<RedisEngagementStore>(*redis_client_);
    handler_ = std::make_unique<ScoringHandler>(*model_, *store_, *engagement_, metrics_,
                                                SystemClock::Instance());
    explain_ = std::make_unique<ExplainService>(caller_, *store_, *engagement_, metrics_,
                                                SystemClock::Instance());

    kafka::ProducerOptions po;
    po.brokers = kafka_->bootstrap();
    po.linger_ms = 0;
    auto producer = kafka::MakeKafkaProducer(po, &service_metrics_);
    ASSERT_TRUE(producer.ok()) << producer.status().message();
    producer_ = std::move(*producer);
    StartLoop("leadflow-scoring-main", topics::kLeadsAccepted, handler_->Handler());
    StartLoop("leadflow-scoring-engagement", topics::kEngagementEvents,
              handler_->EngagementHandler());

    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &grpc_port_);
    builder.RegisterService(explain_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    stub_ = leadflow::scoring::v1::ScoringService::NewStub(grpc::CreateChannel(
        "127.0.0.1:" + std::to_string(grpc_port_), grpc::InsecureChannelCredentials()));
    client_ = std::make_unique<testing::KafkaTestClient>(kafka_->bootstrap());
  }

  void TearDown() override {
    stop_ = true;
    for (auto& t : threads_) t.join();
    if (server_) server_->Shutdown();
  }

  void StartLoop(const std::string& group, const std::string& topic,
                 kafka::BatchHandler handler) {
    kafka::ConsumerOptions co;
    co.brokers = kafka_->bootstrap();
    co.group_id = group;
    co.topics = {topic};
    auto consumer = kafka::MakeKafkaConsumer(co, &service_metrics_);
    ASSERT_TRUE(consumer.ok()) << consumer.status().message();
    kafka::ConsumerLoopOptions lo;
    lo.stage = leadflow::common::v1::SCORING;
    lo.name = "scoring:" + topic;
    loops_.push_back(std::make_unique<kafka::ConsumerLoop>(std::move(*consumer), *producer_,
                                                           std::move(handler), &service_metrics_,
                                                           SystemClock::Instance(), lo));
    kafka::ConsumerLoop* loop = loops_.back().get();
    threads_.emplace_back([this, loop] { loop->Run(stop_); });
  }

  void Engage(const std::string& event_id, leadflow::engagement::v1::EngagementType type) {
    const auto lead = NurturedLead();
    leadflow::engagement::v1::EngagementEvent e;
    e.set_event_id(event_id);
    e.set_contact_id(lead.contact().contact_id());
    e.set_account_key(lead.meta().account_key());
    e.set_type(type);
    *e.mutable_occurred_at() = TimeUtil::MillisecondsToTimestamp(SystemClock::Instance().NowMillis());
    const auto r = client_->ProduceSync(topics::kEngagementEvents, e.contact_id(),
                                        e.SerializeAsString());
    ASSERT_TRUE(r.ok) << r.error;
  }

  // Reads leads.scored until `count` records are there; decoded, by revision.
  std::vector<LeadScored> Scored(size_t count) {
    std::vector<LeadScored> out;
    for (const auto& m : client_->ConsumeAll(topics::kLeadsScored, count,
                                             std::chrono::seconds(30))) {
      LeadScored s;
      EXPECT_TRUE(s.ParseFromString(m.value));
      EXPECT_EQ(m.key, "midcorp.ru");
      out.push_back(std::move(s));
    }
    std::sort(out.begin(), out.end(),
              [](const auto& a, const auto& b) { return a.revision() < b.revision(); });
    return out;
  }

  metrics::Registry registry_;
  metrics::ServiceMetrics service_metrics_{registry_, "scoring"};
  ScoringMetrics metrics_{service_metrics_};
  std::unique_ptr<testing::RedisServer> redis_;
  std::unique_ptr<testing::DevKafka> kafka_;
  std::unique_ptr<redis::Client> redis_client_;
  std::unique_ptr<ModelHolder> model_;
  std::unique_ptr<RedisScoreStore> store_;
  std::unique_ptr<RedisEngagementStore> engagement_;
  std::unique_ptr<ScoringHandler> handler_;
  testing::FixedCaller caller_ = testing::FixedCaller::With({auth::scopes::kExplainLeads});
  std::unique_ptr<ExplainService> explain_;
  std::unique_ptr<kafka::Producer> producer_;
  std::vector<std::unique_ptr<kafka::ConsumerLoop>> loops_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stop_{false};
  int grpc_port_ = 0;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<leadflow::scoring::v1::ScoringService::Stub> stub_;
  std::unique_ptr<testing::KafkaTestClient> client_;
};

TEST_F(ScoringPipelineTest, NurturedLeadCrossesTheMqlThresholdAfterEngagement) {
  const auto lead = NurturedLead();
  auto r = client_->ProduceSync(topics::kLeadsAccepted, lead.meta().account_key(),
                                lead.SerializeAsString());
  ASSERT_TRUE(r.ok) << r.error;
  auto scored = Scored(1);
  ASSERT_EQ(scored.size(), 1u);
  EXPECT_EQ(scored[0].revision(), 1);
  EXPECT_EQ(scored[0].lifecycle_stage(), leadflow::common::v1::LEAD);  // stays with nurture
  EXPECT_EQ(scored[0].segment(), leadflow::common::v1::MID_MARKET);
  EXPECT_DOUBLE_EQ(scored[0].total_score(), 63);
  EXPECT_EQ(scored[0].model_version(), "2026.11-default");

  // Webinar (+15) and a reply (+20): 98, still below 100.
  Engage("ev-webinar", leadflow::engagement::v1::WEBINAR_ATTENDED);
  Engage("ev-reply", leadflow::engagement::v1::REPLIED);
  scored = Scored(3);
  ASSERT_EQ(scored.size(), 3u);
  EXPECT_EQ(scored[2].revision(), 3);
  EXPECT_EQ(scored[2].lifecycle_stage(), leadflow::common::v1::LEAD);
  EXPECT_GT(scored[2].engagement_score(), 34.99);

  // A booked meeting (+40) crosses the threshold: a new LeadScored, MQL.
  Engage("ev-meeting", leadflow::engagement::v1::MEETING_BOOKED);
  scored = Scored(4);
  ASSERT_EQ(scored.size(), 4u);
  const LeadScored& promoted = scored[3];
  EXPECT_EQ(promoted.revision(), 4);
  EXPECT_EQ(promoted.lifecycle_stage(), leadflow::common::v1::MQL);
  EXPECT_GE(promoted.total_score(), 100);
  EXPECT_EQ(promoted.lead().meta().lead_id(), lead.meta().lead_id());
  double sum = 0;
  for (const auto& c : promoted.contributions()) sum += c.points();
  EXPECT_EQ(sum, promoted.total_score());
  EXPECT_EQ(metrics_.PromotedCount(), 1);

  // Explain over gRPC: the latest score with its explanation.
  leadflow::scoring::v1::ExplainRequest req;
  req.set_lead_id(lead.meta().lead_id());
  leadflow::scoring::v1::ExplainResponse resp;
  {
    grpc::ClientContext ctx;
    const auto st = stub_->Explain(&ctx, req, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }
  EXPECT_FALSE(resp.what_if());
  EXPECT_EQ(resp.score().revision(), 4);
  EXPECT_EQ(resp.score().lifecycle_stage(), leadflow::common::v1::MQL);
  bool has_meeting = false;
  for (const auto& c : resp.score().contributions()) {
    if (c.rule_id() == "engagement.MEETING_BOOKED") has_meeting = c.points() > 39.9;
  }
  EXPECT_TRUE(has_meeting);

  // What-if over gRPC: a candidate with a higher threshold; nothing published or stored.
  leadflow::config::v1::ScoringModel candidate = (*model_->Get()).model();
  candidate.set_version("candidate-strict");
  candidate.set_mql_threshold(150);
  *req.mutable_candidate_model() = candidate;
  {
    grpc::ClientContext ctx;
    const auto st = stub_->Explain(&ctx, req, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }
  EXPECT_TRUE(resp.what_if());
  EXPECT_EQ(resp.score().model_version(), "candidate-strict");
  EXPECT_EQ(resp.score().lifecycle_stage(), leadflow::common::v1::LEAD);
  // A bad candidate is refused naming the field.
  req.mutable_candidate_model()->set_engagement_half_life_days(-1);
  {
    grpc::ClientContext ctx;
    const auto st = stub_->Explain(&ctx, req, &resp);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_NE(st.error_message().find("engagement_half_life_days"), std::string::npos);
  }
  {
    grpc::ClientContext ctx;
    leadflow::scoring::v1::ExplainRequest unknown;
    unknown.set_lead_id("L-nobody");
    EXPECT_EQ(stub_->Explain(&ctx, unknown, &resp).error_code(), grpc::StatusCode::NOT_FOUND);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(client_->CountMessages(topics::kLeadsScored), 4);  // what-if published nothing
  EXPECT_EQ((*store_->Get(lead.meta().lead_id()))->model_version(), "2026.11-default");
}

}  // namespace
}  // namespace leadflow::scoring
