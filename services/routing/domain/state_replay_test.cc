// RoutingStateReplay: routing's state recomputed from its topics.
#include "routing/domain/state_replay.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace leadflow::routing {
namespace {

namespace rv1 = leadflow::routing::v1;

rv1::LeadAssigned Decision(const std::string& lead, rv1::RoutingOutcome o, const std::string& rep,
                           int64_t ms, int64_t sla_ms = 0, const std::string& team = "mid") {
  rv1::LeadAssigned r;
  r.mutable_scored()->mutable_lead()->mutable_meta()->set_lead_id(lead);
  r.mutable_decision()->set_outcome(o);
  r.mutable_decision()->set_rep_id(rep);
  r.mutable_decision()->set_team(team);
  r.mutable_decision()->mutable_decided_at()->set_seconds(ms / 1000);
  if (sla_ms > 0) r.mutable_sla_due_at()->set_seconds(sla_ms / 1000);
  return r;
}

rv1::SalesFeedback Feedback(const std::string& lead, const std::string& rep, rv1::FeedbackKind k,
                            int64_t ms) {
  rv1::SalesFeedback f;
  f.set_lead_id(lead);
  f.set_rep_id(rep);
  f.set_kind(k);
  f.mutable_at()->set_seconds(ms / 1000);
  return f;
}

// The lead ids of a rebuilt queue, in drain order.
std::vector<std::string> Ids(const std::vector<std::string>& entries) {
  std::vector<std::string> out;
  for (const auto& e : entries) out.emplace_back(LeadIdOfQueueEntry(e));
  return out;
}

RoutingStateReplay Replay() {
  return RoutingStateReplay([](const std::string&, int64_t ms) {
    return ms < 86'400'000 ? std::string("d1") : std::string("d2");
  });
}

TEST(RoutingStateReplay, OpenLeadsSlaTimersAndQueuesComeBack) {
  auto r = Replay();
  r.OnDecision(Decision("L1", rv1::ASSIGNED, "rep-a", 1000, 3'600'000));
  r.OnDecision(Decision("L2", rv1::ASSIGNED, "rep-a", 2000, 3'600'000));
  r.OnDecision(Decision("L3", rv1::QUEUED, "", 5000));
  r.OnDecision(Decision("L4", rv1::QUEUED, "", 3000));
  r.OnDecision(Decision("L5", rv1::NURTURE, "", 3000));
  r.OnFeedback(Feedback("L2", "rep-a", rv1::ACCEPT, 4000));
  const auto s = r.Build({"d1"});
  EXPECT_EQ(s.open.at("rep-a"), (std::set<std::string>{"L1", "L2"}));
  EXPECT_EQ(s.leads.at("L1").sla_due_ms, 3'600'000);
  EXPECT_EQ(s.leads.at("L2").sla_due_ms, 0);  // accepted: the timer stopped
  EXPECT_EQ(s.leads.at("L2").last_feedback, "accept|rep-a");
  // Equal scores: oldest first.
  EXPECT_EQ(Ids(s.queues.at("mid")), (std::vector<std::string>{"L4", "L3"}));
  EXPECT_FALSE(s.leads.at("L5").open);
  EXPECT_EQ(s.daily.at({"d1", "rep-a"}), 2);
}

TEST(RoutingStateReplay, RebuiltQueueIsRankedLikeTheLiveOne) {
  auto r = Replay();
  auto queued = [](const std::string& id, int product, double total, int64_t ms) {
    rv1::LeadAssigned a = Decision(id, rv1::QUEUED, "", ms);
    a.mutable_scored()->mutable_bant()->set_product(product);
    a.mutable_scored()->set_total_score(total);
    return a;
  };
  // Fed in mixed order (topics and partitions interleave).
  const std::vector<rv1::LeadAssigned> fed = {
      queued("low", 16, 90, 1000), queued("top", 500, 40, 9000), queued("mid-new", 120, 70, 8000),
      queued("mid-old", 120, 70, 2000), queued("mid-hi", 120, 75, 7000)};
  for (const auto& a : fed) r.OnDecision(a);
  const auto s = r.Build({"d1"});
  EXPECT_EQ(Ids(s.queues.at("mid")),
            (std::vector<std::string>{"top", "mid-hi", "mid-old", "mid-new", "low"}));
  // Each entry is the one the engine wrote when it queued the lead.
  for (const auto& a : fed) {
    const auto& q = s.queues.at("mid");
    EXPECT_NE(std::find(q.begin(), q.end(),
                        QueueEntry(DefaultQueueOrder(), a.scored(),
                                   a.decision().decided_at().seconds() * 1000,
                                   a.scored().lead().meta().lead_id())),
              q.end());
  }
  // First in, first out when the order is configured empty.
  leadflow::config::v1::QueueOrder fifo;
  EXPECT_EQ(Ids(r.Build({"d1"}, fifo).queues.at("mid")),
            (std::vector<std::string>{"low", "mid-old", "mid-hi", "mid-new", "top"}));
}

TEST(RoutingStateReplay, RejectCloseAndReassignmentReleaseTheRep) {
  auto r = Replay();
  r.OnDecision(Decision("L1", rv1::ASSIGNED, "rep-a", 1000, 9000));
  r.OnDecision(Decision("L2", rv1::ASSIGNED, "rep-a", 1000, 9000));
  r.OnDecision(Decision("L3", rv1::ASSIGNED, "rep-a", 1000, 9000));
  r.OnFeedback(Feedback("L1", "rep-a", rv1::REJECT, 2000));
  r.OnFeedback(Feedback("L2", "rep-a", rv1::CLOSE, 2000));
  r.OnDecision(Decision("L3", rv1::REASSIGNED, "rep-b", 10'000, 20'000));
  const auto s = r.Build({"d1"});
  EXPECT_EQ(s.open.count("rep-a"), 0u);
  EXPECT_EQ(s.open.at("rep-b"), (std::set<std::string>{"L3"}));
  EXPECT_EQ(s.leads.at("L3").sla_due_ms, 20'000);
  // Given today: rep-a got three leads, rep-b one; releases don't give back.
  EXPECT_EQ(s.daily.at({"d1", "rep-a"}), 3);
  EXPECT_EQ(s.daily.at({"d1", "rep-b"}), 1);
}

// The sales state's detail and version come back too (sales_state.h), so a
// retried rejection or close after a rebuild is recognised as the same answer.
TEST(RoutingStateReplay, TheReasonOutcomeAndVersionsOfTheLastFeedbackComeBack) {
  auto r = Replay();
  r.OnDecision(Decision("L1", rv1::ASSIGNED, "rep-a", 1000, 9000));
  r.OnDecision(Decision("L2", rv1::ASSIGNED, "rep-a", 1000, 9000));
  rv1::SalesFeedback reject = Feedback("L1", "rep-a", rv1::REJECT, 2000);
  reject.set_reject_reason(leadflow::common::v1::NOT_A_FIT);
  r.OnFeedback(reject);
  r.OnFeedback(Feedback("L2", "rep-a", rv1::ACCEPT, 3000));
  rv1::SalesFeedback close = Feedback("L2", "rep-a", rv1::CLOSE, 5000);
  close.set_outcome(rv1::WON);
  r.OnFeedback(close);
  const auto s = r.Build({"d1"});
  EXPECT_EQ(s.leads.at("L1").last_feedback, "reject|rep-a");
  EXPECT_EQ(s.leads.at("L1").last_detail, "NOT_A_FIT");
  EXPECT_EQ(s.leads.at("L1").last_at_ms, 2000);
  EXPECT_EQ(s.leads.at("L2").last_feedback, "close|rep-a");
  EXPECT_EQ(s.leads.at("L2").last_detail, "WON");
  EXPECT_EQ(s.leads.at("L2").last_at_ms, 5000);
  EXPECT_EQ(s.leads.at("L2").accepted_at_ms, 3000);
}

// A coded LOST comes back with its code (a retry with another code after a
// rebuild is still a different answer), never with its free text.
TEST(RoutingStateReplay, ALostCloseComesBackWithItsLossReason) {
  auto r = Replay();
  r.OnDecision(Decision("L3", rv1::ASSIGNED, "rep-a", 1000, 9000));
  rv1::SalesFeedback close = Feedback("L3", "rep-a", rv1::CLOSE, 5000);
  close.set_outcome(rv1::LOST);
  close.set_loss_reason(leadflow::common::v1::LOST_TENDER);
  close.set_loss_detail("lowest bid");
  r.OnFeedback(close);
  const auto s = r.Build({"d1"});
  EXPECT_EQ(s.leads.at("L3").last_detail, "LOST:LOST_TENDER");
}

TEST(RoutingStateReplay, RedeliveriesCountOnceAndOlderDecisionsDoNotWin) {
  auto r = Replay();
  const auto first = Decision("L1", rv1::ASSIGNED, "rep-a", 1000, 9000);
  r.OnDecision(first);
  r.OnDecision(first);  // an identical redelivery
  r.OnDecision(Decision("L1", rv1::REASSIGNED, "rep-b", 5000, 9000));
  r.OnDecision(first);  // fed late (another partition): older than rep-b's
  const auto s = r.Build({"d1"});
  EXPECT_EQ(s.leads.at("L1").record.decision().rep_id(), "rep-b");
  EXPECT_EQ(s.open.count("rep-a"), 0u);
  EXPECT_EQ(s.daily.at({"d1", "rep-a"}), 1);
}

TEST(RoutingStateReplay, FeedbackFromOthersOrFromBeforeTheDecisionIsIgnored) {
  auto r = Replay();
  r.OnFeedback(Feedback("L1", "rep-a", rv1::CLOSE, 500));  // an earlier life of the lead
  r.OnDecision(Decision("L1", rv1::ASSIGNED, "rep-a", 1000, 9000));
  r.OnFeedback(Feedback("L1", "rep-b", rv1::REJECT, 2000));  // not the holder
  const auto s = r.Build({"d1"});
  EXPECT_TRUE(s.leads.at("L1").open);
  EXPECT_EQ(s.open.at("rep-a").size(), 1u);
}

TEST(RoutingStateReplay, DailyCountsKeepOnlyTheAskedDaysAndAvailabilityIsTheLatest) {
  auto r = Replay();
  r.OnDecision(Decision("L1", rv1::ASSIGNED, "rep-a", 1000));
  r.OnDecision(Decision("L2", rv1::ASSIGNED, "rep-a", 90'000'000));
  r.OnAvailability("rep-a", rv1::VACATION);
  r.OnAvailability("rep-a", rv1::ACTIVE);
  r.OnAvailability("rep-b", rv1::PAUSED);
  const auto s = r.Build({"d2"});
  EXPECT_EQ(s.daily.count({"d1", "rep-a"}), 0u);
  EXPECT_EQ(s.daily.at({"d2", "rep-a"}), 1);
  EXPECT_EQ(s.availability.at("rep-a"), rv1::ACTIVE);
  EXPECT_EQ(s.availability.at("rep-b"), rv1::PAUSED);
}

}  // namespace
}  // namespace leadflow::routing

namespace leadflow::routing {
namespace {

rv1::SalesFeedback StageMove(const std::string& lead, const std::string& rep,
                             const std::string& stage, int64_t ms, int64_t value = 0) {
  rv1::SalesFeedback f = Feedback(lead, rep, rv1::STAGE, ms);
  f.set_stage(stage);
  f.set_deal_value_rub(value);
  return f;
}

TEST(RoutingStateReplay, DealStagesTheirEntryTimesValuesAndStallsComeBack) {
  auto r = Replay();
  r.OnDecision(Decision("L1", rv1::ASSIGNED, "rep-a", 1000));
  r.OnFeedback(Feedback("L1", "rep-a", rv1::ACCEPT, 2000));
  r.OnFeedback(StageMove("L1", "rep-a", "qualification", 5000, 7000000));
  r.OnFeedback(StageMove("L1", "rep-a", "presale", 9000));
  r.OnFeedback(StageMove("L1", "rep-a", "presale", 12000, 9000000));  // a value update
  rv1::DealStalled old_stay, this_stay;
  old_stay.set_lead_id("L1");
  old_stay.set_stage_version(5000);  // the qualification stay's
  old_stay.set_version(6000);
  this_stay.set_lead_id("L1");
  this_stay.set_stage_version(9000);
  this_stay.set_version(20000);
  r.OnStall(old_stay);
  r.OnStall(this_stay);
  // Another rep's move, and one before the accept of a lead, count for nothing.
  r.OnFeedback(StageMove("L1", "rep-b", "testing", 13000));
  r.OnDecision(Decision("L2", rv1::ASSIGNED, "rep-a", 1000));
  r.OnFeedback(StageMove("L2", "rep-a", "presale", 3000));
  const auto s = r.Build({"d1"});
  const auto& l1 = s.leads.at("L1");
  EXPECT_EQ(l1.stage, "presale");
  EXPECT_EQ(l1.stage_at_ms, 9000);  // the value update kept the entry time
  EXPECT_EQ(l1.value_rub, 9000000);
  EXPECT_EQ(l1.previous_stage, "qualification");
  EXPECT_EQ(l1.ms_in_previous_stage, 4000);
  EXPECT_EQ(l1.stalled_version, 20000);
  EXPECT_TRUE(l1.open);
  EXPECT_EQ(s.leads.at("L2").stage, "");
  // A close from a stage ends the hold; the stage stays for its history.
  r.OnFeedback([] {
    auto f = Feedback("L1", "rep-a", rv1::CLOSE, 30000);
    f.set_outcome(rv1::WON);
    return f;
  }());
  const auto closed = r.Build({"d1"});
  EXPECT_FALSE(closed.leads.at("L1").open);
  EXPECT_EQ(closed.leads.at("L1").stage, "presale");
}

}  // namespace
}  // namespace leadflow::routing
