// Routing app against a real redis-server (FakeProducer for Kafka).
#include <gtest/gtest.h>

#include "common/kafka/topics.h"
#include "common/metrics/registry.h"
#include "common/metrics/service_metrics.h"
#include "common/testing/fake_kafka.h"
#include "routing/app/routing_engine.h"
#include "routing/app/routing_grpc_service.h"
#include "routing/domain/routing_test_util.h"
#include "services/common/testing/redis_server.h"

namespace leadflow::routing {
namespace {

namespace cv1 = leadflow::common::v1;
namespace rv1 = leadflow::routing::v1;

class RoutingAppTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    server_ = testing::RedisServer::Start({}, &error);
    ASSERT_NE(server_, nullptr) << error;
    auto client = redis::Client::Connect({server_->url()});
    ASSERT_TRUE(client.ok()) << client.status().message();
    redis_ = std::move(*client);
    policy_ = testutil::MustPolicy(testutil::SampleRules());
    store_ = std::make_unique<RoutingStore>(*redis_);
    metrics_ = std::make_unique<RoutingMetrics>(service_metrics_);
    engine_ = std::make_unique<RoutingEngine>(policy_, *store_, broadcaster_, *metrics_, clock_);
    grpc_ = std::make_unique<RoutingGrpcService>(policy_, *store_, producer_, broadcaster_,
                                                 *metrics_, clock_);
  }

  kafka::ConsumedMessage Msg(const leadflow::scoring::v1::LeadScored& s) {
    kafka::ConsumedMessage m;
    m.topic = topics::kLeadsScored;
    m.key = s.lead().meta().account_key();
    s.SerializeToString(&m.payload);
    m.offset = offset_++;
    return m;
  }

  std::vector<kafka::OutgoingMessage> Handle(const leadflow::scoring::v1::LeadScored& s) {
    std::vector<kafka::OutgoingMessage> out;
    Status st = engine_->Handle(Msg(s), out);
    EXPECT_TRUE(st.ok()) << st.message();
    return out;
  }

  static leadflow::scoring::v1::LeadScored Lead(const std::string& id, cv1::Segment seg,
                                                cv1::DealBand band) {
    auto s = testutil::Mql(seg, band);
    s.mutable_lead()->mutable_meta()->set_lead_id(id);
    return s;
  }

  std::string Get(const std::string& key) { return server_->Command({"GET", key}).value_or("?"); }

  std::unique_ptr<testing::RedisServer> server_;
  std::unique_ptr<redis::Client> redis_;
  metrics::Registry registry_;
  metrics::ServiceMetrics service_metrics_{registry_, "routing"};
  FakeClock clock_{1763715600000};  // Friday noon, Moscow
  testing::FakeProducer producer_;
  AssignmentBroadcaster broadcaster_;
  std::shared_ptr<const RoutingPolicy> policy_;
  std::unique_ptr<RoutingStore> store_;
  std::unique_ptr<RoutingMetrics> metrics_;
  std::unique_ptr<RoutingEngine> engine_;
  std::unique_ptr<RoutingGrpcService> grpc_;
  int64_t offset_ = 0;
};

TEST_F(RoutingAppTest, AssignsToLeadsAssignedAndRedeliveryEmitsTheSameRep) {
  auto sub = broadcaster_.Subscribe("", "key-accounts");
  auto lead = Lead("L1", cv1::ENTERPRISE, cv1::DEAL_BAND_LARGE);
  auto out = Handle(lead);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].topic, topics::kLeadsAssigned);
  EXPECT_EQ(out[0].key, "example.ru");
  rv1::LeadAssigned first;
  ASSERT_TRUE(first.ParseFromString(out[0].payload));
  EXPECT_EQ(first.decision().outcome(), rv1::ASSIGNED);
  const std::string rep = first.decision().rep_id();
  EXPECT_EQ(rep, "ka-a");
  EXPECT_EQ(Get("lf:{routing}:open:" + rep), "1");

  // Redelivered twice: same decision, no second claim, nothing new broadcast.
  for (int i = 0; i < 2; ++i) {
    auto again = Handle(lead);
    ASSERT_EQ(again.size(), 1u);
    rv1::LeadAssigned a;
    ASSERT_TRUE(a.ParseFromString(again[0].payload));
    EXPECT_EQ(a.decision().rep_id(), rep);
    EXPECT_EQ(again[0].payload, out[0].payload);
  }
  EXPECT_EQ(Get("lf:{routing}:open:" + rep), "1");
  EXPECT_EQ(Get("lf:{routing}:daily:" + RoutingStore::DayKey(clock_.Now()) + ":" + rep), "1");

  rv1::LeadAssigned ev;
  using Next = AssignmentBroadcaster::Subscription::Next;
  ASSERT_EQ(sub->Pop(std::chrono::milliseconds(10), &ev), Next::kItem);
  EXPECT_EQ(ev.decision().rep_id(), rep);
  EXPECT_EQ(sub->Pop(std::chrono::milliseconds(10), &ev), Next::kTimeout);

  // The next lead goes to another rep (round robin), proving state moved on.
  auto next = Handle(Lead("L2", cv1::ENTERPRISE, cv1::DEAL_BAND_LARGE));
  rv1::LeadAssigned second;
  ASSERT_TRUE(second.ParseFromString(next[0].payload));
  EXPECT_EQ(second.decision().rep_id(), "ka-b");
}

TEST_F(RoutingAppTest, OutcomesGoToTheirTopics) {
  auto customer = Lead("C1", cv1::ENTERPRISE, cv1::DEAL_BAND_LARGE);
  customer.mutable_lead()->mutable_meta()->set_relationship(cv1::CUSTOMER);
  customer.mutable_lead()->set_account_owner("owner-1");
  auto out = Handle(customer);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].topic, topics::kAccountsInbound);

  auto warm = Lead("N1", cv1::SMB, cv1::DEAL_BAND_SMALL);
  warm.set_lifecycle_stage(cv1::LEAD);
  out = Handle(warm);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].topic, topics::kLeadsNurture);

  auto disq = Lead("D1", cv1::SMB, cv1::DEAL_BAND_SMALL);
  disq.set_disqualified(true);
  disq.add_disqualification_reasons(cv1::SCREENED_INDUSTRY);
  const auto msg = Msg(disq);
  std::vector<kafka::OutgoingMessage> dout;
  ASSERT_TRUE(engine_->Handle(msg, dout).ok());
  ASSERT_EQ(dout.size(), 1u);
  EXPECT_EQ(dout[0].topic, topics::kLeadsRejected);
  leadflow::intake::v1::LeadRejected rej;
  ASSERT_TRUE(rej.ParseFromString(dout[0].payload));
  EXPECT_TRUE(rej.disqualified());
  EXPECT_EQ(rej.original(), msg.payload);
  EXPECT_EQ(rej.meta().lead_id(), "D1");
}

TEST_F(RoutingAppTest, NoCapacityQueuesVisiblyAndKeepsTheLeadInTheTeamQueue) {
  for (const char* rep : {"ka-a", "ka-b", "ka-c"}) {
    rv1::SetRepAvailabilityRequest req;
    req.set_rep_id(rep);
    req.set_availability(rv1::VACATION);
    rv1::SetRepAvailabilityResponse resp;
    ASSERT_TRUE(grpc_->SetRepAvailability(nullptr, &req, &resp).ok());
  }
  auto out = Handle(Lead("Q1", cv1::ENTERPRISE, cv1::DEAL_BAND_LARGE));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].topic, topics::kLeadsAssigned);
  rv1::LeadAssigned a;
  ASSERT_TRUE(a.ParseFromString(out[0].payload));
  EXPECT_EQ(a.decision().outcome(), rv1::QUEUED);
  EXPECT_EQ(a.decision().rep_id(), "");
  EXPECT_EQ(server_->Command({"LLEN", "lf:{routing}:queue:key-accounts"}).value_or(""), "1");
}

TEST_F(RoutingAppTest, FeedbackValidatesPublishesAndReleases) {
  auto out = Handle(Lead("F1", cv1::ENTERPRISE, cv1::DEAL_BAND_LARGE));
  rv1::LeadAssigned a;
  ASSERT_TRUE(a.ParseFromString(out[0].payload));
  const std::string rep = a.decision().rep_id();

  rv1::RejectLeadRequest no_reason;
  no_reason.set_lead_id("F1");
  no_reason.set_rep_id(rep);
  rv1::FeedbackAck ack;
  EXPECT_EQ(grpc_->RejectLead(nullptr, &no_reason, &ack).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  rv1::CloseLeadRequest no_outcome;
  no_outcome.set_lead_id("F1");
  no_outcome.set_rep_id(rep);
  EXPECT_EQ(grpc_->CloseLead(nullptr, &no_outcome, &ack).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  rv1::AcceptLeadRequest wrong_rep;
  wrong_rep.set_lead_id("F1");
  wrong_rep.set_rep_id("someone-else");
  EXPECT_EQ(grpc_->AcceptLead(nullptr, &wrong_rep, &ack).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  rv1::AcceptLeadRequest unknown;
  unknown.set_lead_id("nope");
  unknown.set_rep_id(rep);
  EXPECT_EQ(grpc_->AcceptLead(nullptr, &unknown, &ack).error_code(), grpc::StatusCode::NOT_FOUND);

  rv1::AcceptLeadRequest accept;
  accept.set_lead_id("F1");
  accept.set_rep_id(rep);
  ASSERT_TRUE(grpc_->AcceptLead(nullptr, &accept, &ack).ok());
  EXPECT_EQ(ack.status(), "accepted");

  rv1::CloseLeadRequest close;
  close.set_lead_id("F1");
  close.set_rep_id(rep);
  close.set_outcome(rv1::WON);
  ASSERT_TRUE(grpc_->CloseLead(nullptr, &close, &ack).ok());
  EXPECT_EQ(Get("lf:{routing}:open:" + rep), "0");
  ASSERT_TRUE(grpc_->CloseLead(nullptr, &close, &ack).ok());  // idempotent release
  EXPECT_EQ(Get("lf:{routing}:open:" + rep), "0");

  auto fb = producer_.SentTo(topics::kSalesFeedback);
  ASSERT_EQ(fb.size(), 3u);
  EXPECT_EQ(fb[0].key, "F1");
  rv1::SalesFeedback f;
  ASSERT_TRUE(f.ParseFromString(fb[1].payload));
  EXPECT_EQ(f.kind(), rv1::CLOSE);
  EXPECT_EQ(f.outcome(), rv1::WON);
}

TEST_F(RoutingAppTest, ProtectedRejectionOfEnterpriseLeadReturnsToNurture) {
  auto out = Handle(Lead("E1", cv1::ENTERPRISE, cv1::DEAL_BAND_LARGE));
  rv1::LeadAssigned a;
  ASSERT_TRUE(a.ParseFromString(out[0].payload));
  rv1::RejectLeadRequest req;
  req.set_lead_id("E1");
  req.set_rep_id(a.decision().rep_id());
  req.set_reason(cv1::BUDGET_TOO_SMALL);
  rv1::FeedbackAck ack;
  ASSERT_TRUE(grpc_->RejectLead(nullptr, &req, &ack).ok());
  EXPECT_EQ(ack.status(), "returned to nurture: BUDGET_TOO_SMALL");
  auto nurture = producer_.SentTo(topics::kLeadsNurture);
  ASSERT_EQ(nurture.size(), 1u);
  rv1::NurtureRequested n;
  ASSERT_TRUE(n.ParseFromString(nurture[0].payload));
  EXPECT_EQ(n.reason(), cv1::BUDGET_TOO_SMALL);
  EXPECT_EQ(n.decision().outcome(), rv1::NURTURE);
  EXPECT_EQ(Get("lf:{routing}:open:" + a.decision().rep_id()), "0");

  // A non-protected reason just rejects.
  auto out2 = Handle(Lead("E2", cv1::ENTERPRISE, cv1::DEAL_BAND_LARGE));
  ASSERT_TRUE(a.ParseFromString(out2[0].payload));
  req.set_lead_id("E2");
  req.set_rep_id(a.decision().rep_id());
  req.set_reason(cv1::NOT_A_FIT);
  ASSERT_TRUE(grpc_->RejectLead(nullptr, &req, &ack).ok());
  EXPECT_EQ(ack.status(), "rejected: NOT_A_FIT");
  EXPECT_EQ(producer_.SentTo(topics::kLeadsNurture).size(), 1u);
}

TEST_F(RoutingAppTest, AvailabilityIsUsedByTheNextDecision) {
  rv1::SetRepAvailabilityRequest req;
  req.set_rep_id("ka-a");
  req.set_availability(rv1::VACATION);
  rv1::SetRepAvailabilityResponse resp;
  ASSERT_TRUE(grpc_->SetRepAvailability(nullptr, &req, &resp).ok());
  for (int i = 0; i < 6; ++i) {
    auto out = Handle(Lead("V" + std::to_string(i), cv1::ENTERPRISE, cv1::DEAL_BAND_LARGE));
    rv1::LeadAssigned a;
    ASSERT_TRUE(a.ParseFromString(out[0].payload));
    EXPECT_NE(a.decision().rep_id(), "ka-a");
  }
  req.set_availability(rv1::REP_AVAILABILITY_UNSPECIFIED);
  EXPECT_EQ(grpc_->SetRepAvailability(nullptr, &req, &resp).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(RoutingAppTest, RescoreOfANurturedLeadIsRoutedAgain) {
  auto lead = Lead("R1", cv1::ENTERPRISE, cv1::DEAL_BAND_LARGE);
  lead.set_lifecycle_stage(cv1::LEAD);
  auto out = Handle(lead);
  EXPECT_EQ(out[0].topic, topics::kLeadsNurture);
  lead.set_lifecycle_stage(cv1::MQL);
  lead.set_revision(2);
  out = Handle(lead);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].topic, topics::kLeadsAssigned);
  out = Handle(lead);  // redelivery of the rescore: same assignment
  EXPECT_EQ(out[0].topic, topics::kLeadsAssigned);
  EXPECT_EQ(Get("lf:{routing}:open:ka-a"), "1");
}

TEST_F(RoutingAppTest, BadInputIsRejectedNotDropped) {
  kafka::ConsumedMessage m;
  m.payload = "\xff\xff not a proto";
  std::vector<kafka::OutgoingMessage> out;
  EXPECT_EQ(engine_->Handle(m, out).code(), StatusCode::kInvalidArgument);
  auto no_rel = Lead("X1", cv1::SMB, cv1::DEAL_BAND_SMALL);
  no_rel.mutable_lead()->mutable_meta()->set_relationship(cv1::RELATIONSHIP_UNSPECIFIED);
  Status s = engine_->Handle(Msg(no_rel), out);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("relationship"), std::string::npos);
}

}  // namespace
}  // namespace leadflow::routing
