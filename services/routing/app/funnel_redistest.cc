// Conversion by cohort and won revenue (issue 17.4 and 17.5; docs/domain-
// rules.md §6), against a real redis-server: every prospect lead joins its
// submission cohort with its claim, once however often it is redelivered; a
// close WON puts the deal in its cohort's won deals and in the month's won
// ledger with its source, campaign and value, once; the gauges are read from
// Redis alone; and a rebuild after Redis lost everything restores the same
// numbers from the topics (leads.cohorts, leads.assigned, sales.feedback).
#include <gtest/gtest.h>

#include <chrono>

#include "routing/app/cohort_store.h"
#include "routing/app/funnel_reporter.h"
#include "routing/app/routing_state_rebuild.h"
#include "routing/testing/routing_app_fixture.h"

namespace leadflow::routing {
namespace {

// The last Friday 09:00 UTC (noon in Moscow, the sample reps' hours) before
// now: cohort keys expire on Redis's own clock, so the test's months are
// this year's (a fixed date would expire 548 days after its month).
int64_t RecentFridayNoonMoscow() {
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  const int64_t day = now_ms / 86400000;
  const int64_t friday = day - ((day - 1) % 7 + 7) % 7 - 7;  // 1970-01-02 was a Friday
  return friday * 86400000 + 9 * 3600000;
}

class FunnelTest : public RoutingAppTest {
 protected:
  void SetUp() override {
    RoutingAppTest::SetUp();
    clock_.SetMillis(RecentFridayNoonMoscow());
    cohorts_ = std::make_unique<CohortStore>(*redis_);
    reporter_ = std::make_unique<FunnelReporter>(policy_, *cohorts_, service_metrics_, clock_);
  }
  leadflow::scoring::v1::LeadScored Prospect(const std::string& id, bool marketing,
                                             const std::string& source,
                                             const std::string& campaign) {
    auto s = Lead(id, cv1::ENTERPRISE, cv1::DEAL_BAND_LARGE);
    auto* meta = s.mutable_lead()->mutable_meta();
    meta->mutable_first_submitted_at()->set_seconds(clock_.NowMillis() / 1000);
    meta->set_marketing_sourced(marketing);
    meta->set_source_id(source);
    meta->set_campaign_id(campaign);
    s.mutable_lead()->set_expected_deal_rub(45000000);
    return s;
  }
  // Routes `s` and keeps its leads.assigned and leads.cohorts records; its rep.
  std::string Route(const leadflow::scoring::v1::LeadScored& s) {
    auto out = Handle(s);
    std::string rep;
    for (auto& m : out) {
      if (m.topic != topics::kLeadsAssigned) continue;
      rv1::LeadAssigned a;
      EXPECT_TRUE(a.ParseFromString(m.payload));
      rep = a.decision().rep_id();
      Keep(m);
    }
    for (auto& m : cohort_out_) Keep(m);
    cohort_out_.clear();
    return rep;
  }
  void Keep(const kafka::OutgoingMessage& m) {
    kafka::ConsumedMessage c;
    c.topic = m.topic;
    c.key = m.key;
    c.payload = m.payload;
    topics_[m.topic].push_back(std::move(c));
  }
  void Close(const std::string& lead, const std::string& rep, rv1::DealOutcome outcome) {
    rv1::FeedbackAck ack;
    rv1::AcceptLeadRequest acc;
    acc.set_lead_id(lead);
    acc.set_rep_id(rep);
    ASSERT_TRUE(grpc_->AcceptLead(nullptr, &acc, &ack).ok());
    rv1::CloseLeadRequest close;
    close.set_lead_id(lead);
    close.set_rep_id(rep);
    close.set_outcome(outcome);
    if (outcome == rv1::LOST) close.set_loss_reason(cv1::LOST_PRICE);
    grpc::Status st = grpc_->CloseLead(nullptr, &close, &ack);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }
  std::string CohortName() const {
    return Cohort{MonthIndexOf(clock_.NowMillis()), cv1::ENTERPRISE}.Name();
  }
  std::string Month() const { return MonthName(MonthIndexOf(clock_.NowMillis())); }
  double Gauge(const std::string& name, const metrics::Labels& labels) {
    return registry_.GetGauge("leadflow_routing_" + name, "", labels).Value();
  }
  std::string Cmd(const std::vector<std::string>& c) { return server_->Command(c).value_or("?"); }

  std::unique_ptr<CohortStore> cohorts_;
  std::unique_ptr<FunnelReporter> reporter_;
  std::map<std::string, std::vector<kafka::ConsumedMessage>> topics_;
};

TEST_F(FunnelTest, EachProspectJoinsItsCohortOnceAndAWonCloseCountsOnce) {
  const std::string rep1 = Route(Prospect("C1", true, "web-form-main", "webinar-roi-2026"));
  const std::string rep2 = Route(Prospect("C2", false, "partner-portal", ""));
  Route(Prospect("C3", true, "web-form-main", "other"));
  Route(Prospect("C1", true, "web-form-main", "webinar-roi-2026"));  // redelivered
  ASSERT_FALSE(rep1.empty());
  ASSERT_FALSE(rep2.empty());
  EXPECT_EQ(Cmd({"PFCOUNT", CohortLeadsKey(CohortName())}), "3");

  Close("C1", rep1, rv1::WON);
  Close("C2", rep2, rv1::LOST);
  rv1::CloseLeadRequest again;  // the same close, retried: no second won deal
  again.set_lead_id("C1");
  again.set_rep_id(rep1);
  again.set_outcome(rv1::WON);
  rv1::FeedbackAck ack;
  ASSERT_TRUE(grpc_->CloseLead(nullptr, &again, &ack).ok());

  EXPECT_EQ(Cmd({"ZCARD", CohortWonKey(CohortName())}), "1");
  EXPECT_EQ(Cmd({"HGET", WonLedgerKey(Month()), "C1"}),
            "1|web-form-main|webinar-roi-2026|1|45000000");
  EXPECT_EQ(Cmd({"HLEN", WonLedgerKey(Month())}), "1");
  // Every funnel key expires: nothing grows forever.
  for (const auto& key :
       {CohortLeadsKey(CohortName()), CohortWonKey(CohortName()), WonLedgerKey(Month())}) {
    EXPECT_GT(std::stoll(Cmd({"TTL", key})), 300LL * 86400) << key;
  }

  ASSERT_TRUE(reporter_->Refresh().ok());
  const metrics::Labels cohort{{"cohort", Month()}, {"segment", "ENTERPRISE"}};
  EXPECT_DOUBLE_EQ(Gauge("cohort_leads", cohort), 3);
  EXPECT_DOUBLE_EQ(Gauge("cohort_won_deals", cohort), 1);
  EXPECT_DOUBLE_EQ(Gauge("cohort_conversion_ratio", cohort), 1.0 / 3);
  EXPECT_DOUBLE_EQ(Gauge("conversion_band_ratio", {{"band", "weak"}}), 0.03);
  EXPECT_DOUBLE_EQ(Gauge("conversion_band_ratio", {{"band", "excellent"}}), 0.05);
  EXPECT_DOUBLE_EQ(Gauge("won_revenue_rub", {{"marketing_sourced", "true"},
                                             {"source", "web-form-main"},
                                             {"campaign", "webinar-roi-2026"}}),
                   45000000);
  EXPECT_DOUBLE_EQ(Gauge("marketing_won_share_ratio", {{"measure", "revenue"}}), 1.0);
  EXPECT_DOUBLE_EQ(Gauge("marketing_yardstick_ratio", {{"measure", "new_clients"}}), 0.20);
  const std::string text = registry_.Serialize();
  EXPECT_EQ(text.find("C1"), std::string::npos) << "no lead id in a label";
}

TEST_F(FunnelTest, ARebuildAfterRedisLostItRestoresTheSameNumbers) {
  const std::string rep1 = Route(Prospect("R1", true, "web-form-main", "webinar-roi-2026"));
  Route(Prospect("R2", false, "partner-portal", ""));
  Close("R1", rep1, rv1::WON);
  ASSERT_TRUE(producer_.Flush(std::chrono::milliseconds(0)).ok());
  for (const auto& m : producer_.sent) {
    if (m.topic == topics::kSalesFeedback) Keep(m);
  }
  const std::string ledger = Cmd({"HGET", WonLedgerKey(Month()), "R1"});
  ASSERT_EQ(Cmd({"PFCOUNT", CohortLeadsKey(CohortName())}), "2");

  ASSERT_TRUE(redis_->Run({"FLUSHALL"}).ok());
  EXPECT_FALSE(reporter_->Refresh().ok()) << "no numbers while the state is being rebuilt";
  RoutingStateRebuild rebuild(
      *redis_, policy_,
      [this](const std::string& topic,
             const std::function<void(const kafka::ConsumedMessage&)>& visit) {
        for (const auto& m : topics_[topic]) visit(m);
        return Status::Ok();
      },
      "replica-a", clock_, nullptr);
  ASSERT_TRUE(rebuild.Check().ok());
  ASSERT_TRUE(rebuild.ready());

  EXPECT_EQ(Cmd({"PFCOUNT", CohortLeadsKey(CohortName())}), "2");
  EXPECT_EQ(Cmd({"ZCARD", CohortWonKey(CohortName())}), "1");
  EXPECT_EQ(Cmd({"HGET", WonLedgerKey(Month()), "R1"}), ledger);
  ASSERT_TRUE(reporter_->Refresh().ok());
  const metrics::Labels cohort{{"cohort", Month()}, {"segment", "ENTERPRISE"}};
  EXPECT_DOUBLE_EQ(Gauge("cohort_conversion_ratio", cohort), 0.5);
}

TEST_F(FunnelTest, ACohortThatLeftTheWindowLeavesTheGauges) {
  Route(Prospect("W1", true, "web-form-main", "other"));
  ASSERT_TRUE(reporter_->Refresh().ok());
  const std::string label = "cohort=\"" + Month() + "\"";
  ASSERT_NE(registry_.Serialize().find(label), std::string::npos);
  clock_.Advance(std::chrono::hours(24 * 31 * kCohortWindowMonths));
  ASSERT_TRUE(reporter_->Refresh().ok());
  EXPECT_EQ(registry_.Serialize().find(label), std::string::npos);
}

}  // namespace
}  // namespace leadflow::routing
