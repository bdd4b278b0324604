// Routing app against a real redis-server (FakeProducer for Kafka).
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <thread>

#include "routing/app/routing_keys.h"
#include "routing/domain/queue_order.h"
#include "routing/testing/routing_app_fixture.h"

namespace leadflow::routing {
namespace {

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
  EXPECT_EQ(Get("lf:{routing}:daily:" + RepLoadStore::DayKey(clock_.Now()) + ":" + rep), "1");

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
  leadflow::common::v1::LeadRejected rej;
  ASSERT_TRUE(rej.ParseFromString(dout[0].payload));
  EXPECT_TRUE(rej.disqualified());
  EXPECT_EQ(rej.original(), msg.payload);
  EXPECT_EQ(rej.meta().lead_id(), "D1");
}

TEST_F(RoutingAppTest, NoCapacityQueuesVisiblyAndKeepsTheLeadInTheTeamQueue) {
  for (const char* rep : {"ka-a", "ka-b", "ka-c"}) {
    rv1::SetRepAvailabilityRequest req;
    req.set_rep_id(rep);
    req.set_availability(rv1::PAUSED);
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
  EXPECT_EQ(server_->Command({"ZCARD", "lf:{routing}:queue:key-accounts"}).value_or(""), "1");
}

// Feedback by topic respects team scope (docs/security.md): a record on
// sales.feedback.<team> is applied only for a rep of that team on a lead
// routed to it, then republished on sales.feedback; sales.feedback itself is
// routing's own, so a record there without routing's header is refused.
TEST_F(RoutingAppTest, FeedbackByTopicIsAppliedOnlyWithinTheTopicsTeam) {
  auto out = Handle(Lead("T1", cv1::ENTERPRISE, cv1::DEAL_BAND_LARGE));
  rv1::LeadAssigned a;
  ASSERT_TRUE(a.ParseFromString(out[0].payload));
  const std::string rep = a.decision().rep_id();
  const std::string team = a.decision().team();
  std::string other_team;
  for (const auto& t : policy_->rules().teams()) {
    if (t.team_id() != team && t.reps_size() > 0) other_team = t.team_id();
  }
  ASSERT_FALSE(other_team.empty());
  rv1::SalesFeedback close;
  close.set_lead_id("T1");
  close.set_rep_id(rep);
  close.set_kind(rv1::CLOSE);
  close.set_outcome(rv1::WON);
  auto on = [&](const std::string& topic, const rv1::SalesFeedback& fb,
                std::vector<std::pair<std::string, std::string>> headers = {}) {
    kafka::ConsumedMessage m;
    m.topic = topic;
    m.key = fb.lead_id();
    m.payload = fb.SerializeAsString();
    for (auto& [k, v] : headers) m.headers.push_back({k, v});
    std::vector<kafka::OutgoingMessage> emitted;
    Status s = feedback_->Handle(m, emitted);
    return std::make_pair(s, emitted);
  };
  const std::string open_key = "lf:{routing}:open:" + rep;
  const std::string open_before = Get(open_key);

  // Another team's tool, naming the holder: refused, nothing changes.
  auto [other, other_out] = on(topics::kSalesFeedbackTeamPrefix + other_team, close);
  EXPECT_EQ(other.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(other.reason(), cv1::NOT_PERMITTED) << other.message();
  EXPECT_TRUE(other_out.empty());
  // A rep of the other team on its own topic, for this lead: refused too.
  rv1::SalesFeedback by_outsider = close;
  by_outsider.set_rep_id(policy_->FindTeam(other_team)->reps(0).rep_id());
  EXPECT_EQ(on(topics::kSalesFeedbackTeamPrefix + other_team, by_outsider).first.reason(),
            cv1::NOT_PERMITTED);
  // Straight onto sales.feedback without routing's header: refused.
  auto [direct, direct_out] = on(topics::kSalesFeedback, close);
  EXPECT_EQ(direct.reason(), cv1::NOT_PERMITTED) << direct.message();
  EXPECT_TRUE(direct_out.empty());
  EXPECT_EQ(Get(open_key), open_before);

  // The lead's own team: applied, and republished for nurture and the rebuild.
  auto [own, own_out] = on(topics::kSalesFeedbackTeamPrefix + team, close);
  ASSERT_TRUE(own.ok()) << own.message();
  EXPECT_EQ(Get(open_key), "0");
  ASSERT_EQ(own_out.size(), 1u);
  EXPECT_EQ(own_out[0].topic, topics::kSalesFeedback);
  EXPECT_EQ(own_out[0].payload, close.SerializeAsString());
  ASSERT_EQ(own_out[0].headers.size(), 1u);
  EXPECT_EQ(own_out[0].headers[0].value, "routing");
  // Which routing itself skips when it reads it back.
  EXPECT_TRUE(on(topics::kSalesFeedback, close, {{kFeedbackOriginHeader, "routing"}}).first.ok());
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
  // Another rep's lead and an unknown lead get the same answer: the text
  // tells nobody whether a lead exists or how it was routed.
  rv1::AcceptLeadRequest wrong_rep;
  wrong_rep.set_lead_id("F1");
  wrong_rep.set_rep_id("someone-else");
  const grpc::Status held_elsewhere = grpc_->AcceptLead(nullptr, &wrong_rep, &ack);
  EXPECT_EQ(held_elsewhere.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(held_elsewhere.error_message(), "lead F1 is not open with rep someone-else");
  rv1::AcceptLeadRequest unknown;
  unknown.set_lead_id("F1-unknown");
  unknown.set_rep_id("someone-else");
  const grpc::Status not_there = grpc_->AcceptLead(nullptr, &unknown, &ack);
  EXPECT_EQ(not_there.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(not_there.error_message(), "lead F1-unknown is not open with rep someone-else");

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
  req.set_availability(rv1::PAUSED);
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

// ---- Capacity, SLA, overflow and feedback (issue 5) ----

// Rules whose key-accounts reps can hold `max_open` leads each.
config::v1::RoutingRules LimitedRules(int max_open, int daily_cap = 100000) {
  auto rules = testutil::SampleRules();
  for (auto& rep : *rules.mutable_teams(0)->mutable_reps()) {
    rep.set_max_open_leads(max_open);
    rep.set_daily_cap(daily_cap);
  }
  return rules;
}

class RoutingFlowTest : public RoutingAppTest {
 protected:
  // Rebuilds every routing object on a fresh Redis connection, as a
  // restarted routing process would be (state survives only in Redis).
  void Restart(config::v1::RoutingRules rules) {
    scheduler_.reset();
    grpc_.reset();
    feedback_.reset();
    engine_.reset();
    store_.reset();
    auto client = redis::Client::Connect({server_->url()});
    ASSERT_TRUE(client.ok()) << client.status().message();
    redis_ = std::move(*client);
    policy_ = testutil::MustPolicy(std::move(rules));
    // Routing's state is complete, as the rebuild from empty topics leaves it.
    ASSERT_TRUE(redis_->Run({"SET", RoutingStateKey(), "test"}).ok());
    store_ = std::make_unique<RoutingStore>(*redis_);
    engine_ = std::make_unique<RoutingEngine>(policy_, *store_, broadcaster_, *metrics_, clock_);
    feedback_ = std::make_unique<FeedbackProcessor>(policy_, *store_, *metrics_, clock_);
    grpc_ = std::make_unique<RoutingGrpcService>(policy_, *store_, producer_, broadcaster_,
                                                 *feedback_, clock_);
    scheduler_ = std::make_unique<RoutingScheduler>(policy_, engine_->rep_picker(), *store_,
                                                    producer_, broadcaster_, *metrics_, clock_);
  }

  std::vector<rv1::LeadAssigned> Assigned() {
    std::vector<rv1::LeadAssigned> out;
    for (const auto& m : producer_.SentTo(topics::kLeadsAssigned)) {
      rv1::LeadAssigned a;
      EXPECT_TRUE(a.ParseFromString(m.payload));
      out.push_back(a);
    }
    return out;
  }

  // Handles an MQL and publishes its outputs, as the consumer loop would.
  rv1::LeadAssigned Route(const std::string& id) {
    return Route(Lead(id, cv1::ENTERPRISE, cv1::DEAL_BAND_LARGE));
  }
  rv1::LeadAssigned Route(const leadflow::scoring::v1::LeadScored& scored) {
    auto out = Handle(scored);
    for (const auto& m : out) EXPECT_TRUE(producer_.Produce(m).ok());
    EXPECT_TRUE(producer_.Flush(std::chrono::seconds(1)).ok());
    rv1::LeadAssigned a;
    EXPECT_EQ(out.size(), 1u);
    if (!out.empty()) {
      EXPECT_TRUE(a.ParseFromString(out[0].payload));
    }
    return a;
  }

  double Metric(const std::string& name, const metrics::Labels& labels = {}) {
    return registry_.GetCounter(name, "", labels).Value();
  }
};

TEST_F(RoutingFlowTest, SlaExpiryReassignsToADifferentRepNeverAPreviousOneAndSurvivesRestart) {
  const auto first = Route("S1");
  ASSERT_EQ(first.decision().outcome(), rv1::ASSIGNED);
  const std::string rep1 = first.decision().rep_id();
  // Friday 12:00 Moscow + 60 business minutes.
  EXPECT_EQ(first.sla_due_at().seconds(), 1763715600 + 3600);
  EXPECT_EQ(server_->Command({"ZSCORE", "lf:{routing}:sla", "S1"}).value_or(""), "1763719200000");

  // Not yet due: nothing happens.
  clock_.Advance(std::chrono::minutes(59));
  ASSERT_TRUE(scheduler_->Tick().ok());
  const size_t before = producer_.SentTo(topics::kLeadsAssigned).size();
  EXPECT_EQ(before, 1u);

  // The routing process restarts; the timer lives in Redis and still fires.
  Restart(testutil::SampleRules());
  clock_.Advance(std::chrono::minutes(2));
  ASSERT_TRUE(scheduler_->Tick().ok());
  auto events = Assigned();
  ASSERT_EQ(events.size(), 2u);
  const auto& second = events[1];
  EXPECT_EQ(second.decision().outcome(), rv1::REASSIGNED);
  const std::string rep2 = second.decision().rep_id();
  EXPECT_NE(rep2, rep1);
  ASSERT_EQ(second.previous_reps_size(), 1);
  EXPECT_EQ(second.previous_reps(0), rep1);
  EXPECT_EQ(Get("lf:{routing}:open:" + rep1), "0");
  EXPECT_EQ(Get("lf:{routing}:open:" + rep2), "1");
  bool explained = false;
  for (const auto& step : second.decision().path()) {
    if (step.rule_id() == "rep." + rep1 && step.detail() == "skipped: previous owner") {
      explained = true;
    }
  }
  EXPECT_TRUE(explained);
  // The old rep can no longer act on it.
  rv1::AcceptLeadRequest old;
  old.set_lead_id("S1");
  old.set_rep_id(rep1);
  rv1::FeedbackAck ack;
  EXPECT_EQ(grpc_->AcceptLead(nullptr, &old, &ack).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

  // Second expiry: the third rep, never one of the previous two.
  clock_.Advance(std::chrono::minutes(61));
  ASSERT_TRUE(scheduler_->Tick().ok());
  events = Assigned();
  ASSERT_EQ(events.size(), 3u);
  const std::string rep3 = events[2].decision().rep_id();
  EXPECT_NE(rep3, rep1);
  EXPECT_NE(rep3, rep2);
  EXPECT_EQ(events[2].previous_reps_size(), 2);

  // Third expiry: everyone has had it; it stays with rep3 and is retried later.
  clock_.Advance(std::chrono::minutes(61));
  ASSERT_TRUE(scheduler_->Tick().ok());
  EXPECT_EQ(Assigned().size(), 3u);
  EXPECT_EQ(Get("lf:{routing}:open:" + rep3), "1");
  EXPECT_EQ(Metric("leadflow_routing_reassignments_total", {{"team", "key-accounts"}}), 2);
  EXPECT_EQ(
      Metric("leadflow_routing_decisions_total",
             {{"outcome", "REASSIGNED"}, {"team", "key-accounts"}, {"segment", "ENTERPRISE"}}),
      2);
  EXPECT_EQ(Metric("leadflow_routing_sla_breaches_total",
                   {{"team", "key-accounts"}, {"kind", "assigned"}}),
            3);
  // Outbox emptied once Kafka acknowledged every scheduler event.
  EXPECT_EQ(server_->Command({"ZCARD", "lf:{routing}:outbox"}).value_or(""), "0");
}

TEST_F(RoutingFlowTest, SlaCountsBusinessMinutesOnly) {
  // Friday 17:30 Moscow: 30 minutes today, 30 on Monday from 09:00.
  clock_.SetMillis(1763735400000);
  const auto a = Route("B1");
  EXPECT_EQ(a.sla_due_at().seconds(), 1763964000 + 1800);  // Mon 2025-11-24 09:30 Moscow
  clock_.SetMillis(1763964000000);                         // Monday 09:00: not yet
  ASSERT_TRUE(scheduler_->Tick().ok());
  EXPECT_EQ(Assigned().size(), 1u);
  clock_.SetMillis(1763964000000 + 1801000);
  ASSERT_TRUE(scheduler_->Tick().ok());
  EXPECT_EQ(Assigned().size(), 2u);
}

TEST_F(RoutingFlowTest, AcceptStopsTheSlaTimer) {
  const auto a = Route("A1");
  rv1::AcceptLeadRequest req;
  req.set_lead_id("A1");
  req.set_rep_id(a.decision().rep_id());
  rv1::FeedbackAck ack;
  ASSERT_TRUE(grpc_->AcceptLead(nullptr, &req, &ack).ok());
  EXPECT_EQ(server_->Command({"ZSCORE", "lf:{routing}:sla", "A1"}).value_or(""), "(nil)");
  clock_.Advance(std::chrono::hours(5));
  ASSERT_TRUE(scheduler_->Tick().ok());
  EXPECT_EQ(Assigned().size(), 1u);
  // Accepted leads stay open with the rep until closed.
  EXPECT_EQ(Get("lf:{routing}:open:" + a.decision().rep_id()), "1");
}

// Equal BANT products and total scores (every lead here is the same MQL):
// ties go to the oldest lead.
TEST_F(RoutingFlowTest, FreedCapacityDrainsTheQueueOldestFirstOnEqualScores) {
  Restart(LimitedRules(1));
  std::map<std::string, std::string> holder;
  for (int i = 0; i < 5; ++i) {
    const auto a = Route("Q" + std::to_string(i));
    if (i < 3) {
      ASSERT_EQ(a.decision().outcome(), rv1::ASSIGNED) << i;
      holder[a.decision().rep_id()] = a.scored().lead().meta().lead_id();
    } else {
      ASSERT_EQ(a.decision().outcome(), rv1::QUEUED) << i;
      bool cap_explained = false;
      for (const auto& step : a.decision().path()) {
        cap_explained |= step.detail().find("open leads 1/1") != std::string::npos;
      }
      EXPECT_TRUE(cap_explained);
    }
  }
  EXPECT_EQ(server_->Command({"ZCARD", "lf:{routing}:queue:key-accounts"}).value_or(""), "2");
  ASSERT_TRUE(scheduler_->Tick().ok());  // nobody free: nothing moves
  EXPECT_EQ(Assigned().size(), 5u);

  // ka-b closes its lead: the oldest queued lead (Q3) goes to ka-b at once.
  rv1::CloseLeadRequest close;
  close.set_lead_id(holder["ka-b"]);
  close.set_rep_id("ka-b");
  close.set_outcome(rv1::LOST);
  rv1::FeedbackAck ack;
  ASSERT_TRUE(grpc_->CloseLead(nullptr, &close, &ack).ok());
  EXPECT_EQ(ack.status(), "closed: LOST");
  ASSERT_TRUE(scheduler_->Tick().ok());
  auto events = Assigned();
  ASSERT_EQ(events.size(), 6u);
  EXPECT_EQ(events[5].scored().lead().meta().lead_id(), "Q3");
  EXPECT_EQ(events[5].decision().outcome(), rv1::ASSIGNED);
  EXPECT_EQ(events[5].decision().rep_id(), "ka-b");
  EXPECT_EQ(Get("lf:{routing}:open:ka-b"), "1");
  EXPECT_EQ(server_->Command({"ZCARD", "lf:{routing}:queue:key-accounts"}).value_or(""), "1");
  EXPECT_GT(events[5].sla_due_at().seconds(), 0);

  // A paused rep frees nothing; a returning rep with room does.
  rv1::SetRepAvailabilityRequest av;
  av.set_rep_id("ka-c");
  av.set_availability(rv1::PAUSED);
  rv1::SetRepAvailabilityResponse avr;
  ASSERT_TRUE(grpc_->SetRepAvailability(nullptr, &av, &avr).ok());
  close.set_lead_id(holder["ka-c"]);
  close.set_rep_id("ka-c");
  ASSERT_TRUE(grpc_->CloseLead(nullptr, &close, &ack).ok());
  ASSERT_TRUE(scheduler_->Tick().ok());
  EXPECT_EQ(Assigned().size(), 6u);
  av.set_availability(rv1::ACTIVE);
  ASSERT_TRUE(grpc_->SetRepAvailability(nullptr, &av, &avr).ok());
  ASSERT_TRUE(scheduler_->Tick().ok());
  events = Assigned();
  ASSERT_EQ(events.size(), 7u);
  EXPECT_EQ(events[6].scored().lead().meta().lead_id(), "Q4");
  EXPECT_EQ(events[6].decision().rep_id(), "ka-c");
  EXPECT_EQ(server_->Command({"ZCARD", "lf:{routing}:queue:key-accounts"}).value_or(""), "0");
  // Load, capacity and queue gauges reflect Redis after the tick.
  auto gauge = [&](const std::string& name, const metrics::Labels& labels) {
    return registry_.GetGauge(name, "", labels).Value();
  };
  EXPECT_EQ(gauge("leadflow_routing_queue_depth", {{"team", "key-accounts"}}), 0);
  EXPECT_EQ(gauge("leadflow_routing_rep_open_leads", {{"team", "key-accounts"}, {"rep", "ka-c"}}),
            1);
  EXPECT_EQ(gauge("leadflow_routing_rep_today_leads", {{"team", "key-accounts"}, {"rep", "ka-c"}}),
            2);
  EXPECT_EQ(Metric("leadflow_routing_dequeued_total", {{"team", "key-accounts"}}), 2);
  // Redelivery of a drained lead's original message re-emits its current record.
  auto again = Handle(Lead("Q3", cv1::ENTERPRISE, cv1::DEAL_BAND_LARGE));
  rv1::LeadAssigned r;
  ASSERT_TRUE(r.ParseFromString(again[0].payload));
  EXPECT_EQ(r.decision().rep_id(), "ka-b");
  EXPECT_EQ(Get("lf:{routing}:open:ka-b"), "1");
}

// A queue whose head has to wait costs one short read a tick, however long
// the queue (issue 21); freed slots still drain past that first read.
TEST_F(RoutingFlowTest, AWaitingQueueIsReadShortlyAndFreedSlotsDrainItWhole) {
  Restart(LimitedRules(1));
  const std::string pad(120, 'x');  // long ids: a long read shows in the bytes sent
  for (int i = 0; i < 60; ++i) Route("W" + std::to_string(100 + i) + pad);
  EXPECT_EQ(server_->Command({"ZCARD", "lf:{routing}:queue:key-accounts"}).value_or(""), "57");
  const auto bytes_out = [&] {
    const std::string stats = server_->Command({"INFO", "stats"}).value_or("");
    const auto at = stats.find("total_net_output_bytes:");
    return std::stol(stats.substr(at + 23));
  };
  ASSERT_TRUE(scheduler_->Tick().ok());  // the first tick also sums the pipeline
  const long before = bytes_out();
  ASSERT_TRUE(scheduler_->Tick().ok());   // nobody free: nothing moves
  EXPECT_LT(bytes_out() - before, 6000);  // not 57 queue entries of 130+ bytes
  EXPECT_EQ(Assigned().size(), 60u);

  Restart(LimitedRules(30));  // 87 free slots: the whole queue goes in one tick
  ASSERT_TRUE(scheduler_->Tick().ok());
  EXPECT_EQ(Assigned().size(), 117u);
  EXPECT_EQ(server_->Command({"ZCARD", "lf:{routing}:queue:key-accounts"}).value_or(""), "0");
}

// docs/domain-rules.md, team queues ranked by score: leads queued in mixed
// order are assigned, one freed slot at a time, by the highest BANT product,
// then the highest total score, ties to the oldest; across a restart too.
TEST_F(RoutingFlowTest, FreedCapacityDrainsTheQueueByBantProductThenTotalScoreThenAge) {
  Restart(LimitedRules(1));
  std::map<std::string, std::string> holder_of;  // rep -> lead it holds
  for (int i = 0; i < 3; ++i) {
    const auto a = Route("F" + std::to_string(i));
    ASSERT_EQ(a.decision().outcome(), rv1::ASSIGNED) << i;
    holder_of[a.decision().rep_id()] = a.scored().lead().meta().lead_id();
  }
  struct Queued {
    const char* id;
    int product;
    double total;
  };
  // In arrival order, one second apart.
  const std::vector<Queued> arrivals = {{"Q-low", 20, 95.0},     {"Q-mid-old", 120, 60.0},
                                        {"Q-top", 400, 30.0},    {"Q-mid-new", 120, 60.0},
                                        {"Q-mid-hi", 120, 75.5}, {"Q-second", 300, 10.0}};
  for (const auto& q : arrivals) {
    clock_.Advance(std::chrono::seconds(1));
    auto s = Lead(q.id, cv1::ENTERPRISE, cv1::DEAL_BAND_LARGE);
    s.mutable_bant()->set_product(q.product);
    s.set_total_score(q.total);
    ASSERT_EQ(Route(s).decision().outcome(), rv1::QUEUED) << q.id;
  }
  const std::vector<std::string> expected = {"Q-top",     "Q-second",  "Q-mid-hi",
                                             "Q-mid-old", "Q-mid-new", "Q-low"};
  // The sorted set holds them in drain order already.
  auto zrange = redis_->Run({"ZRANGE", "lf:{routing}:queue:key-accounts", "0", "-1"});
  ASSERT_TRUE(zrange.ok());
  std::vector<std::string> in_redis;
  for (const auto& e : zrange->elements) in_redis.emplace_back(LeadIdOfQueueEntry(e.str));
  EXPECT_EQ(in_redis, expected);

  // Free one slot at a time (close the lead its rep holds); each tick assigns
  // the best queued lead to that rep.
  std::vector<std::string> drained;
  for (size_t i = 0; i < expected.size(); ++i) {
    if (i == 2) Restart(LimitedRules(1));  // a restarted routing keeps the order
    const std::string rep = i % 3 == 0 ? "ka-a" : i % 3 == 1 ? "ka-b" : "ka-c";
    rv1::CloseLeadRequest close;
    close.set_lead_id(holder_of[rep]);
    close.set_rep_id(rep);
    close.set_outcome(rv1::LOST);
    rv1::FeedbackAck ack;
    ASSERT_TRUE(grpc_->CloseLead(nullptr, &close, &ack).ok());
    ASSERT_EQ(ack.status(), "closed: LOST") << holder_of[rep];
    clock_.Advance(std::chrono::seconds(1));
    ASSERT_TRUE(scheduler_->Tick().ok());
    const auto events = Assigned();
    ASSERT_EQ(events.size(), 3 + arrivals.size() + i + 1);
    const auto& got = events.back();
    EXPECT_EQ(got.decision().outcome(), rv1::ASSIGNED);
    EXPECT_EQ(got.decision().rep_id(), rep);
    drained.push_back(got.scored().lead().meta().lead_id());
    holder_of[rep] = drained.back();
  }
  EXPECT_EQ(drained, expected);
  EXPECT_EQ(server_->Command({"ZCARD", "lf:{routing}:queue:key-accounts"}).value_or(""), "0");
  EXPECT_EQ(Metric("leadflow_routing_dequeued_total", {{"team", "key-accounts"}}),
            static_cast<double>(expected.size()));
}

TEST_F(RoutingFlowTest, TwoEnginesSharingRedisNeverExceedCapacity) {
  // Two replicas (own connection, own round robin) race on the same reps.
  Restart(LimitedRules(25));
  auto client2 = redis::Client::Connect({server_->url()});
  ASSERT_TRUE(client2.ok());
  RoutingStore store2(**client2);
  RoutingEngine engine2(policy_, store2, broadcaster_, *metrics_, clock_);
  constexpr int kLeads = 1000;
  std::vector<kafka::ConsumedMessage> msgs;
  for (int i = 0; i < kLeads; ++i) {
    msgs.push_back(Msg(Lead("C" + std::to_string(i), cv1::ENTERPRISE, cv1::DEAL_BAND_LARGE)));
  }
  std::atomic<int> failures{0};
  auto run = [&](RoutingEngine& engine, int parity) {
    for (int i = parity; i < kLeads; i += 2) {
      std::vector<kafka::OutgoingMessage> out;
      if (!engine.Handle(msgs[i], out).ok()) ++failures;
    }
  };
  std::thread t1(run, std::ref(*engine_), 0);
  std::thread t2(run, std::ref(engine2), 1);
  t1.join();
  t2.join();
  EXPECT_EQ(failures, 0);
  int open_total = 0;
  for (const char* rep : {"ka-a", "ka-b", "ka-c"}) {
    const int open = std::stoi(Get(std::string("lf:{routing}:open:") + rep));
    EXPECT_EQ(open, 25) << rep;
    EXPECT_EQ(server_->Command({"SCARD", std::string("lf:{routing}:open-set:") + rep}).value_or(""),
              "25");
    open_total += open;
  }
  EXPECT_EQ(open_total, 75);
  EXPECT_EQ(server_->Command({"ZCARD", "lf:{routing}:queue:key-accounts"}).value_or(""),
            std::to_string(kLeads - 75));
}

TEST_F(RoutingFlowTest, FeedbackFromTheTopicIsAppliedOnceAndProtectedRejectsGoToNurture) {
  const auto a = Route("K1");
  const std::string rep = a.decision().rep_id();
  rv1::SalesFeedback fb;
  fb.set_lead_id("K1");
  fb.set_rep_id(rep);
  fb.set_kind(rv1::REJECT);
  fb.set_reject_reason(cv1::RIGID_SPEC);
  kafka::ConsumedMessage m;
  m.topic = topics::kSalesFeedbackTeamPrefix + a.decision().team();  // the team's own topic
  m.key = "K1";
  fb.SerializeToString(&m.payload);
  for (int delivery = 0; delivery < 2; ++delivery) {
    std::vector<kafka::OutgoingMessage> out;
    ASSERT_TRUE(feedback_->Handle(m, out).ok());
    ASSERT_EQ(out.size(), 2u) << delivery;  // back to nurture, then republished
    EXPECT_EQ(out[0].topic, topics::kLeadsNurture);
    EXPECT_EQ(out[1].topic, topics::kSalesFeedback);
    rv1::NurtureRequested n;
    ASSERT_TRUE(n.ParseFromString(out[0].payload));
    EXPECT_EQ(n.reason(), cv1::RIGID_SPEC);
    EXPECT_EQ(n.scored().lead().meta().lead_id(), "K1");
    EXPECT_EQ(Get("lf:{routing}:open:" + rep), "0");
  }
  EXPECT_EQ(
      Metric("leadflow_routing_feedback_total", {{"kind", "reject"}, {"reason", "RIGID_SPEC"}}), 1);

  // Bad feedback is refused with the field named (the loop sends it to leads.rejected).
  rv1::SalesFeedback bad = fb;
  bad.clear_reject_reason();
  bad.SerializeToString(&m.payload);
  std::vector<kafka::OutgoingMessage> out;
  Status s = feedback_->Handle(m, out);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("reject_reason"), std::string::npos);
  // Our own gRPC-published feedback is not applied twice.
  m.topic = topics::kSalesFeedback;
  m.headers.push_back({kFeedbackOriginHeader, "routing"});
  EXPECT_TRUE(feedback_->Handle(m, out).ok());
  EXPECT_TRUE(out.empty());

  // The lead went back to nurture; when scoring re-emits it as an MQL with a
  // higher revision, it is routed to sales again; the same revision redelivered claims nothing.
  auto rescored = Lead("K1", cv1::ENTERPRISE, cv1::DEAL_BAND_LARGE);
  rescored.set_revision(2);
  auto routed = Handle(rescored);
  ASSERT_EQ(routed.size(), 1u);
  EXPECT_EQ(routed[0].topic, topics::kLeadsAssigned);
  rv1::LeadAssigned back;
  ASSERT_TRUE(back.ParseFromString(routed[0].payload));
  EXPECT_EQ(back.decision().outcome(), rv1::ASSIGNED);
  const std::string daily_key =
      "lf:{routing}:daily:" + RepLoadStore::DayKey(clock_.Now()) + ":" + back.decision().rep_id();
  const std::string daily = Get(daily_key);
  auto again = Handle(rescored);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].payload, routed[0].payload);
  EXPECT_EQ(Get(daily_key), daily);
}

TEST_F(RoutingFlowTest, NonProtectedRejectOfSmallLeadIsJustRejected) {
  auto out = Handle(Lead("M1", cv1::MID_MARKET, cv1::DEAL_BAND_STANDARD));
  rv1::LeadAssigned a;
  ASSERT_TRUE(a.ParseFromString(out[0].payload));
  rv1::RejectLeadRequest req;
  req.set_lead_id("M1");
  req.set_rep_id(a.decision().rep_id());
  req.set_reason(cv1::BUDGET_TOO_SMALL);  // protected only for large-client segments
  rv1::FeedbackAck ack;
  ASSERT_TRUE(grpc_->RejectLead(nullptr, &req, &ack).ok());
  EXPECT_EQ(ack.status(), "rejected: BUDGET_TOO_SMALL");
  EXPECT_TRUE(producer_.SentTo(topics::kLeadsNurture).empty());
  auto fb = producer_.SentTo(topics::kSalesFeedback);
  ASSERT_EQ(fb.size(), 1u);
  ASSERT_EQ(fb[0].headers.size(), 1u);
  EXPECT_EQ(fb[0].headers[0].key, kFeedbackOriginHeader);
  // A late redelivery of the scored lead does not hand the rejected lead back.
  EXPECT_TRUE(Handle(Lead("M1", cv1::MID_MARKET, cv1::DEAL_BAND_STANDARD)).empty());
  EXPECT_EQ(Get("lf:{routing}:open:" + a.decision().rep_id()), "0");
}

}  // namespace
}  // namespace leadflow::routing
