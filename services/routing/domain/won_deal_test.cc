#include "routing/domain/won_deal.h"

#include <gtest/gtest.h>

namespace leadflow::routing {
namespace {

namespace cv1 = leadflow::common::v1;

TEST(WonDealTest, TheValueIsTheStagesElseTheExpectedDeal) {
  EXPECT_EQ(WonValueRub(90, 80, 70), 90);
  EXPECT_EQ(WonValueRub(0, 80, 70), 80);
  EXPECT_EQ(WonValueRub(0, 0, 70), 70);
  EXPECT_EQ(WonValueRub(0, 0, -5), 0);
}

TEST(WonDealTest, EntriesRoundTripAndKeepNoPersonalData) {
  leadflow::scoring::v1::LeadScored s;
  auto* meta = s.mutable_lead()->mutable_meta();
  meta->set_source_id("web-form-main");
  meta->set_campaign_id("webinar-roi-2026");
  meta->set_marketing_sourced(true);
  s.mutable_lead()->mutable_contact()->set_email("a.smirnov@vtb.ru");
  s.set_segment(cv1::ENTERPRISE);
  const WonDeal d = WonDealOf(s, 45000000);
  const std::string entry = EncodeWonDeal(d);
  EXPECT_EQ(entry, "1|web-form-main|webinar-roi-2026|1|45000000");
  const auto back = DecodeWonDeal(entry);
  ASSERT_TRUE(back.has_value());
  EXPECT_TRUE(back->marketing_sourced);
  EXPECT_EQ(back->source, "web-form-main");
  EXPECT_EQ(back->campaign, "webinar-roi-2026");
  EXPECT_EQ(back->segment, cv1::ENTERPRISE);
  EXPECT_EQ(back->value_rub, 45000000);
  // A '|' cannot split a field.
  WonDeal odd = d;
  odd.campaign = "a|b";
  EXPECT_EQ(DecodeWonDeal(EncodeWonDeal(odd))->campaign, "a_b");
}

TEST(WonDealTest, AWonRecordNamesTheLedgerMonthAndTheCohort) {
  leadflow::scoring::v1::LeadScored s;
  auto* meta = s.mutable_lead()->mutable_meta();
  meta->set_relationship(cv1::PROSPECT);
  meta->set_source_id("partner-portal");
  meta->mutable_first_submitted_at()->set_seconds(1780000000);  // 2026-05-28
  s.mutable_lead()->set_expected_deal_rub(30000000);
  s.set_segment(cv1::SMB);
  const int64_t won_at = 1796601600000;  // 2026-12-07
  const WonRecord r = WonRecordOf(s, 0, won_at);
  EXPECT_EQ(r.entry, "0|partner-portal||5|30000000");  // the expected deal, no stage value
  EXPECT_EQ(r.month, "2026-12");
  EXPECT_EQ(r.ledger_expires_at, 1827619200);  // 2027-12-01: twelve months of ledgers
  EXPECT_EQ(r.cohort, "2026-05:SMB");
  EXPECT_EQ(r.won_at_ms, won_at);
  EXPECT_EQ(WonRecordOf(s, 45000000, won_at).entry, "0|partner-portal||5|45000000");
  meta->set_relationship(cv1::CUSTOMER);
  EXPECT_EQ(WonRecordOf(s, 0, won_at).cohort, "");
}

TEST(WonDealTest, MalformedEntriesAreRefused) {
  for (const char* bad : {"", "1|a|b|1", "2|a|b|1|5", "1|a|b|99|5", "1|a|b|1|x", "1|a|b|1|-3",
                          "1|a|b|1|5|6"}) {
    EXPECT_FALSE(DecodeWonDeal(bad).has_value()) << bad;
  }
}

TEST(WonDealTest, MarketingsShareOfClientsAndRevenue) {
  const std::vector<WonDeal> deals = {
      {true, "web-form-main", "webinar-roi-2026", cv1::MID_MARKET, 2000000},
      {true, "web-form-main", "other", cv1::SMB, 1000000},
      {false, "partner-portal", "", cv1::ENTERPRISE, 97000000},
      {false, "partner-portal", "", cv1::ENTERPRISE, 50000000},
      {false, "", "", cv1::ENTERPRISE, 0},
  };
  const WonTotals t = SumWonDeals(deals);
  EXPECT_EQ(t.all.deals, 5);
  EXPECT_EQ(t.all.value_rub, 150000000);
  EXPECT_EQ(t.marketing.deals, 2);
  EXPECT_DOUBLE_EQ(t.marketing_deal_share(), 0.4);
  EXPECT_DOUBLE_EQ(t.marketing_revenue_share(), 0.02);
  const auto partner = t.by_source.at({false, "partner-portal", ""});
  EXPECT_EQ(partner.deals, 2);
  EXPECT_EQ(partner.value_rub, 147000000);
  EXPECT_DOUBLE_EQ(SumWonDeals({}).marketing_revenue_share(), 0);
}

}  // namespace
}  // namespace leadflow::routing
