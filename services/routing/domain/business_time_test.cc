#include "routing/domain/business_time.h"

#include <gtest/gtest.h>

#include "routing/testing/routing_test_util.h"

namespace leadflow::routing {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using std::chrono::system_clock;

leadflow::config::v1::WorkingHours Hours(int start, int end, std::vector<int> days) {
  leadflow::config::v1::WorkingHours h;
  h.set_start_hour(start);
  h.set_end_hour(end);
  for (int d : days) h.add_weekdays(d);
  return h;
}

// Friday 2025-11-21 00:00 UTC.
constexpr int64_t kFriMidnightUtc = 1763683200;
system_clock::time_point Utc(int64_t hours, int mins = 0) {
  return system_clock::time_point(seconds(kFriMidnightUtc + hours * 3600 + mins * 60));
}

TEST(BusinessTime, WithinOneWorkingDay) {
  auto msk = TimeZone::Fixed("Europe/Moscow", 3 * 3600);
  auto h = Hours(9, 18, {1, 2, 3, 4, 5});
  // Fri 12:00 Moscow + 60 business minutes = 13:00.
  EXPECT_EQ(AddBusinessMinutes(h, *msk, Utc(9), 60), Utc(10));
  // Fri 12:17:30 + 90 = 13:47:30 (sub-minute start kept).
  EXPECT_EQ(AddBusinessMinutes(h, *msk, Utc(9, 17) + seconds(30), 90), Utc(10, 47) + seconds(30));
}

TEST(BusinessTime, RunsOverTheWeekendIntoMonday) {
  auto msk = TimeZone::Fixed("Europe/Moscow", 3 * 3600);
  auto h = Hours(9, 18, {1, 2, 3, 4, 5});
  // Fri 17:30 Moscow + 60: 30 on Friday, the rest Monday 09:00..09:30.
  // Monday 2025-11-24 09:30 Moscow = 06:30 UTC = Fri 00:00 UTC + 78.5 h.
  EXPECT_EQ(AddBusinessMinutes(h, *msk, Utc(14, 30), 60), Utc(78, 30));
}

TEST(BusinessTime, StartedOutsideHoursCountsFromTheNextOpening) {
  auto msk = TimeZone::Fixed("Europe/Moscow", 3 * 3600);
  auto h = Hours(9, 18, {1, 2, 3, 4, 5});
  // Fri 07:00 Moscow (04:00 UTC) + 30 -> 09:30 Moscow (06:30 UTC).
  EXPECT_EQ(AddBusinessMinutes(h, *msk, Utc(4), 30), Utc(6, 30));
  // Exactly at closing (18:00, exclusive) -> Monday 09:00 + 15.
  EXPECT_EQ(AddBusinessMinutes(h, *msk, Utc(15), 15), Utc(78, 15));
}

TEST(BusinessTime, SameInstantDiffersAcrossTimeZones) {
  auto msk = TimeZone::Fixed("Europe/Moscow", 3 * 3600);
  auto nsk = TimeZone::Fixed("Asia/Novosibirsk", 7 * 3600);
  auto h = Hours(9, 18, {1, 2, 3, 4, 5});
  // Fri 10:00 UTC: Moscow 13:00 (open), Novosibirsk 17:00 (one hour left).
  EXPECT_EQ(AddBusinessMinutes(h, *msk, Utc(10), 120), Utc(12));
  // Novosibirsk: 60 today, 60 on Monday from 09:00 (02:00 UTC) -> 03:00 UTC Monday.
  EXPECT_EQ(AddBusinessMinutes(h, *nsk, Utc(10), 120), Utc(72 + 3));
}

TEST(BusinessTime, LocalWeekdayDecidesAcrossTheDateLine) {
  // Fri 22:00 UTC is Sat 05:00 in Novosibirsk but Fri 14:00 in Los Angeles.
  auto la = TimeZone::Fixed("America/Los_Angeles", -8 * 3600);
  auto h = Hours(9, 18, {1, 2, 3, 4, 5});
  EXPECT_EQ(AddBusinessMinutes(h, *la, Utc(22), 60), Utc(23));
}

TEST(BusinessTime, OvernightShift) {
  auto utc = TimeZone::Fixed("UTC", 0);
  auto h = Hours(22, 6, {});
  // 05:30 + 60 -> 30 before 06:00, the rest from 22:00 -> 22:30.
  EXPECT_EQ(AddBusinessMinutes(h, *utc, Utc(5, 30), 60), Utc(22, 30));
}

TEST(BusinessTime, DstSwitchIsCountedInRealMinutes) {
  auto berlin = TimeZone::FromPosix("Europe/Berlin", "CET-1CEST,M3.5.0,M10.5.0/3");
  ASSERT_TRUE(berlin.ok());
  auto h = Hours(0, 24, {});
  // Across the spring-forward night (2024-03-31 01:00 UTC): 120 business
  // minutes of an always-open calendar are 120 real minutes.
  const auto start = system_clock::time_point(seconds(1711846800 - 3600));  // 00:00 UTC
  EXPECT_EQ(AddBusinessMinutes(h, **berlin, start, 120), start + minutes(120));
}

TEST(BusinessTime, SlaUsesTheRepsCalendarAndQueuedLeadsTheTeams) {
  auto rules = testutil::SampleRules();
  // accounts: acc-msk (Moscow), acc-nsk (Novosibirsk), SLA 120.
  auto policy = testutil::MustPolicy(rules);
  const auto t = Utc(10);  // Moscow 13:00, Novosibirsk 17:00
  auto ms = [](system_clock::time_point p) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(p.time_since_epoch()).count();
  };
  EXPECT_EQ(SlaDueMillis(*policy, "accounts", "acc-msk", t), ms(Utc(12)));
  EXPECT_EQ(SlaDueMillis(*policy, "accounts", "acc-nsk", t), ms(Utc(75)));
  // Queued (no rep): the first rep's calendar (Moscow) unless business_hours is set.
  EXPECT_EQ(SlaDueMillis(*policy, "accounts", "", t), ms(Utc(12)));
  auto* bh = rules.mutable_teams(4)->mutable_business_hours();
  *bh = Hours(9, 18, {1, 2, 3, 4, 5});
  bh->set_time_zone("Asia/Novosibirsk");
  auto with_team_hours = testutil::MustPolicy(rules);
  EXPECT_EQ(SlaDueMillis(*with_team_hours, "accounts", "", t), ms(Utc(75)));
  EXPECT_EQ(SlaDueMillis(*policy, "no-such-team", "", t), 0);
}

TEST(BusinessTime, RepLocalDayFollowsTheRepsMidnight) {
  auto rules = testutil::SampleRules();
  rules.mutable_teams(4)->mutable_reps(1)->mutable_hours()->set_time_zone("Asia/Novosibirsk");
  auto policy = testutil::MustPolicy(rules);
  // Fri 18:30 UTC: Moscow Fri 21:30, Novosibirsk already Sat 01:30.
  EXPECT_EQ(RepLocalDay(*policy, "acc-msk", Utc(18, 30)), "2025-11-21");
  EXPECT_EQ(RepLocalDay(*policy, "acc-nsk", Utc(18, 30)), "2025-11-22");
  EXPECT_EQ(RepLocalDay(*policy, "unknown-rep", Utc(18, 30)), "2025-11-21");
}

// Calendars (docs/domain-rules.md, "Calendars"): holidays and out-of-office
// windows pause the SLA clock.
TEST(BusinessTime, AHolidayPausesTheClockLikeAWeekend) {
  auto msk = TimeZone::Fixed("Europe/Moscow", 3 * 3600);
  auto h = Hours(9, 18, {1, 2, 3, 4, 5});
  leadflow::config::v1::HolidayCalendar c;
  c.set_calendar_id("RU");
  c.set_covers_from("2025-11-01");
  c.set_covers_to("2025-11-30");
  c.add_days_off("2025-11-24");  // Monday
  const auto cal = *HolidayCalendar::Create(c, "holiday_calendars[0]");
  // Fri 17:30 Moscow + 60: 30 on Friday, the rest Tuesday 09:00..09:30.
  EXPECT_EQ(AddBusinessSeconds(SlaCalendar{&h, msk.get(), &cal, nullptr}, Utc(14, 30), 3600),
            Utc(78 + 24, 30));
}

TEST(BusinessTime, AnOutOfOfficeWindowPausesTheClock) {
  const int64_t start_ms = kFriMidnightUtc * 1000;
  const OutOfOffice away{{start_ms + 10 * 60000, start_ms + 70 * 60000}};
  // Plain time (no hours): 10 minutes, the hour away, then 20 more.
  EXPECT_EQ(AddBusinessSeconds(SlaCalendar{nullptr, nullptr, nullptr, &away}, Utc(0), 30 * 60),
            Utc(1, 30));
  // Inside working hours: Fri 12:00 Moscow + 60, away 12:30..13:30 -> 14:00.
  auto msk = TimeZone::Fixed("Europe/Moscow", 3 * 3600);
  auto h = Hours(9, 18, {1, 2, 3, 4, 5});
  const int64_t noon_ms = (kFriMidnightUtc + 9 * 3600) * 1000;
  const OutOfOffice lunch{{noon_ms + 30 * 60000, noon_ms + 90 * 60000}};
  EXPECT_EQ(AddBusinessSeconds(SlaCalendar{&h, msk.get(), nullptr, &lunch}, Utc(9), 3600),
            Utc(11));
  // Started inside a window: the clock starts when it ends.
  EXPECT_EQ(AddBusinessSeconds(SlaCalendar{nullptr, nullptr, nullptr, &away}, Utc(0, 30), 60),
            Utc(1, 11));
}

}  // namespace
}  // namespace leadflow::routing
