#include "routing/domain/cohort.h"

#include <gtest/gtest.h>

namespace leadflow::routing {
namespace {

namespace cv1 = leadflow::common::v1;

constexpr int64_t kDec7_2026 = 1796601600000;  // 2026-12-07T00:00:00Z

TEST(CohortTest, MonthsAreUtcCalendarMonths) {
  const MonthIndex dec = MonthIndexOf(kDec7_2026);
  EXPECT_EQ(MonthName(dec), "2026-12");
  EXPECT_EQ(MonthName(dec + 1), "2027-01");
  EXPECT_EQ(MonthName(dec - 12), "2025-12");
  EXPECT_EQ(MonthStartMs(dec), 1796083200000);  // 2026-12-01T00:00:00Z
  EXPECT_EQ(MonthIndexOf(MonthStartMs(dec) - 1), dec - 1);
  EXPECT_EQ(MonthIndexOf(MonthStartMs(dec)), dec);
  EXPECT_EQ(ParseMonthName("2026-12"), dec);
  EXPECT_EQ(ParseMonthName(MonthName(dec - 40)), dec - 40);
  for (const char* bad : {"2026-13", "2026-00", "26-12", "2026/12", "1969-12", "2026-1x", ""}) {
    EXPECT_FALSE(ParseMonthName(bad).has_value()) << bad;
  }
}

leadflow::scoring::v1::LeadScored Scored(cv1::Relationship rel, cv1::Segment seg, int64_t ms) {
  leadflow::scoring::v1::LeadScored s;
  auto* meta = s.mutable_lead()->mutable_meta();
  meta->set_lead_id("L1");
  meta->set_relationship(rel);
  meta->mutable_first_submitted_at()->set_seconds(ms / 1000);
  s.set_segment(seg);
  return s;
}

TEST(CohortTest, AProspectCountsInTheMonthItWasFirstSubmitted) {
  const auto c = CohortOf(Scored(cv1::PROSPECT, cv1::ENTERPRISE, kDec7_2026));
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->Name(), "2026-12:ENTERPRISE");
  // Kept 548 days after its month ends (2027-01-01).
  EXPECT_EQ(CohortExpiresAtSeconds(c->month), 1798761600 + 548LL * 86400);
}

TEST(CohortTest, CustomersDisqualifiedAndUnknownLeadsCountInNoCohort) {
  EXPECT_FALSE(CohortOf(Scored(cv1::CUSTOMER, cv1::ENTERPRISE, kDec7_2026)));
  EXPECT_FALSE(CohortOf(Scored(cv1::PROSPECT, cv1::SEGMENT_UNSPECIFIED, kDec7_2026)));
  auto disqualified = Scored(cv1::PROSPECT, cv1::SMB, kDec7_2026);
  disqualified.set_disqualified(true);
  EXPECT_FALSE(CohortOf(disqualified));
  auto no_time = Scored(cv1::PROSPECT, cv1::SMB, kDec7_2026);
  no_time.mutable_lead()->mutable_meta()->clear_first_submitted_at();
  EXPECT_FALSE(CohortOf(no_time));
}

TEST(CohortTest, TheComparedCohortsAreReadAtTheSameAgeOnCompleteMonths) {
  FunnelBands bands;
  bands.compare_at_age_months = 6;
  const MonthIndex now = MonthIndexOf(kDec7_2026);
  const CohortPair p = CohortsToCompare(now, bands);
  EXPECT_EQ(MonthName(p.latest), "2026-06");
  EXPECT_EQ(MonthName(p.previous), "2026-05");
  // June's deals won before December, May's before November: six months each.
  EXPECT_EQ(p.latest_won_before_ms, MonthStartMs(now));
  EXPECT_EQ(p.previous_won_before_ms, MonthStartMs(now - 1));
}

TEST(CohortTest, VolumeUpWhileConversionDown) {
  FunnelBands bands;  // volume_rise_pct 20
  const CohortCounts before{1000, 40};  // 4 %
  EXPECT_TRUE(VolumeUpConversionDown({1300, 39}, before, bands));   // +30 %, 3 %
  EXPECT_FALSE(VolumeUpConversionDown({1300, 60}, before, bands));  // conversion up
  EXPECT_FALSE(VolumeUpConversionDown({1100, 30}, before, bands));  // +10 %: not "up"
  EXPECT_FALSE(VolumeUpConversionDown({900, 10}, before, bands));   // volume down
  EXPECT_TRUE(VolumeUpConversionDown({1200, 47}, before, bands));   // exactly +20 %, 3.9 %
  EXPECT_FALSE(VolumeUpConversionDown({50, 0}, {0, 0}, bands));     // nothing to compare with
}

}  // namespace
}  // namespace leadflow::routing
