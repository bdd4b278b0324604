#include "nurture/domain/programme_schedule.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "nurture/domain/customer_response.h"
#include "nurture/testing/nurture_test_util.h"

namespace leadflow::nurture {
namespace {

namespace cv1 = leadflow::common::v1;
constexpr int64_t kDay = 24LL * 3600 * 1000;

leadflow::config::v1::Programme Yearly() {
  leadflow::config::v1::Programme p;
  p.set_programme_id("satisfaction-audit");
  p.set_period_days(365);
  p.set_enrol_window_days(14);
  p.set_track_id("questionnaire");
  p.set_small_base_track_id("meetings");
  p.set_large_base_min_accounts(100);
  return p;
}

TEST(ProgrammeSchedule, EachAccountIsDueOncePerPeriodOnItsOwnDay) {
  const auto prog = Yearly();
  const int64_t now = 1768381200000;  // 2026-01-14
  const ProgrammeCycle c = CurrentCycle(prog, "7702070139", now);
  EXPECT_LE(c.start_ms, now);
  EXPECT_GT(c.start_ms + 365 * kDay, now);
  // The same cycle all period long; the next one a period later.
  EXPECT_EQ(CurrentCycle(prog, "7702070139", c.start_ms).index, c.index);
  EXPECT_EQ(CurrentCycle(prog, "7702070139", c.start_ms + 365 * kDay - 1).index, c.index);
  const ProgrammeCycle next = CurrentCycle(prog, "7702070139", c.start_ms + 365 * kDay);
  EXPECT_EQ(next.index, c.index + 1);
  EXPECT_EQ(next.start_ms, c.start_ms + 365 * kDay);
  // Enrollable only within the window after the start.
  EXPECT_TRUE(CurrentCycle(prog, "7702070139", c.start_ms).enrollable);
  EXPECT_TRUE(CurrentCycle(prog, "7702070139", c.start_ms + 14 * kDay - 1).enrollable);
  EXPECT_FALSE(CurrentCycle(prog, "7702070139", c.start_ms + 14 * kDay).enrollable);
}

TEST(ProgrammeSchedule, NeedsNoStateAndSpreadsABaseOverThePeriod) {
  const auto prog = Yearly();
  // A pure function: the same answer after any restart.
  EXPECT_EQ(CurrentCycle(prog, "A", 5 * kDay).start_ms, CurrentCycle(prog, "A", 5 * kDay).start_ms);
  // 500 accounts fall on many different days (never all on one).
  std::set<int64_t> days;
  std::map<int64_t, int> per_month;
  for (int i = 0; i < 500; ++i) {
    const int64_t phase =
        ProgrammePhaseMs(prog.programme_id(), "acct-" + std::to_string(i), 365 * kDay);
    ASSERT_GE(phase, 0);
    ASSERT_LT(phase, 365 * kDay);
    days.insert(phase / kDay);
    ++per_month[phase / (30 * kDay)];
  }
  EXPECT_GT(days.size(), 200u);
  for (const auto& [month, n] : per_month) EXPECT_LT(n, 100) << "month " << month;
}

TEST(ProgrammeSchedule, TheBaseSizeChoosesQuestionnaireOrMeetings) {
  auto prog = Yearly();
  EXPECT_EQ(ProgrammeTrackFor(prog, 12), "meetings");
  EXPECT_EQ(ProgrammeTrackFor(prog, 99), "meetings");
  EXPECT_EQ(ProgrammeTrackFor(prog, 100), "questionnaire");
  EXPECT_EQ(ProgrammeTrackFor(prog, 800), "questionnaire");
  prog.clear_small_base_track_id();
  EXPECT_EQ(ProgrammeTrackFor(prog, 3), "questionnaire");
}

TEST(ProgrammeSchedule, LeadAndRecipientIdsRoundTrip) {
  const std::string id = ProgrammeLeadId("satisfaction-audit", 56, "7702070139");
  EXPECT_EQ(id, "prog~satisfaction-audit~56~7702070139");
  auto parsed = ParseProgrammeLeadId(id);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->programme_id, "satisfaction-audit");
  EXPECT_EQ(parsed->cycle, 56);
  EXPECT_EQ(parsed->account_key, "7702070139");
  EXPECT_EQ(ParseProgrammeLeadId("ld-0123456789abcdef"), std::nullopt);
  EXPECT_EQ(ParseProgrammeLeadId("prog~x~y~z"), std::nullopt);
  EXPECT_EQ(ParseProgrammeLeadId("prog~x~1~"), std::nullopt);
  EXPECT_EQ(ProgrammeRecipientId("7702070139"), "a-7702070139");
  EXPECT_EQ(AccountOfRecipient("a-7702070139"), "7702070139");
  EXPECT_EQ(AccountOfRecipient("c-0123456789abcdef"), std::nullopt);
  EXPECT_EQ(AccountOfRecipient("a-"), std::nullopt);
}

TEST(CustomerResponse, KindFollowsTheEventAndTheChannelOfWhatItAnswers) {
  auto p = testutil::MustPolicy(testutil::SampleConfig());  // c-survey goes on QUESTIONNAIRE
  namespace ev1 = leadflow::engagement::v1;
  namespace nv1 = leadflow::nurture::v1;
  EXPECT_EQ(ResponseKindOf(*p, ev1::REPLIED, "c-survey"), nv1::QUESTIONNAIRE_ANSWER);
  EXPECT_EQ(ResponseKindOf(*p, ev1::REPLIED, "c-update"), nv1::REPLY);
  EXPECT_EQ(ResponseKindOf(*p, ev1::REPLIED, ""), nv1::REPLY);
  EXPECT_EQ(ResponseKindOf(*p, ev1::MEETING_BOOKED, ""), nv1::MEETING);
  EXPECT_EQ(ResponseKindOf(*p, ev1::EMAIL_OPENED, "c-survey"), nv1::RESPONSE_KIND_UNSPECIFIED);
}

}  // namespace
}  // namespace leadflow::nurture
