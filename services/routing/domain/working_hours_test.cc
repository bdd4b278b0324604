#include "routing/domain/working_hours.h"

#include <gtest/gtest.h>

namespace leadflow::routing {
namespace {

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

system_clock::time_point Utc(int64_t hour_offset, int minute = 0) {
  return system_clock::time_point(seconds(kFriMidnightUtc + hour_offset * 3600 + minute * 60));
}

TEST(WorkingHours, StartInclusiveEndExclusive) {
  auto msk = TimeZone::Fixed("Europe/Moscow", 3 * 3600);
  auto h = Hours(9, 18, {1, 2, 3, 4, 5});
  EXPECT_FALSE(WithinWorkingHours(h, *msk, Utc(5, 59)));  // 08:59
  EXPECT_TRUE(WithinWorkingHours(h, *msk, Utc(6)));       // 09:00
  EXPECT_TRUE(WithinWorkingHours(h, *msk, Utc(14, 59)));  // 17:59
  EXPECT_FALSE(WithinWorkingHours(h, *msk, Utc(15)));     // 18:00
}

TEST(WorkingHours, SameInstantDiffersAcrossZones) {
  auto msk = TimeZone::Fixed("Europe/Moscow", 3 * 3600);
  auto nsk = TimeZone::Fixed("Asia/Novosibirsk", 7 * 3600);
  auto h = Hours(9, 18, {1, 2, 3, 4, 5});
  // 03:00 UTC: Moscow 06:00 (closed), Novosibirsk 10:00 (open).
  EXPECT_FALSE(WithinWorkingHours(h, *msk, Utc(3)));
  EXPECT_TRUE(WithinWorkingHours(h, *nsk, Utc(3)));
  // 12:00 UTC: Moscow 15:00 (open), Novosibirsk 19:00 (closed).
  EXPECT_TRUE(WithinWorkingHours(h, *msk, Utc(12)));
  EXPECT_FALSE(WithinWorkingHours(h, *nsk, Utc(12)));
}

TEST(WorkingHours, WeekdayIsTheLocalOne) {
  auto nsk = TimeZone::Fixed("Asia/Novosibirsk", 7 * 3600);
  auto h = Hours(0, 24, {1, 2, 3, 4, 5});
  // Fri 20:00 UTC is already Sat 03:00 in Novosibirsk.
  std::string detail;
  EXPECT_FALSE(WithinWorkingHours(h, *nsk, Utc(20), &detail));
  EXPECT_EQ(detail, "Asia/Novosibirsk Sat 03:00");
  auto la = TimeZone::Fixed("America/Los_Angeles", -8 * 3600);
  // Fri 02:00 UTC is still Thu 18:00 in Los Angeles: a weekday.
  EXPECT_TRUE(WithinWorkingHours(h, *la, Utc(2), &detail));
  EXPECT_EQ(detail, "America/Los_Angeles Thu 18:00");
}

TEST(WorkingHours, EmptyWeekdaysMeansEveryDay) {
  auto utc = TimeZone::Fixed("UTC", 0);
  EXPECT_TRUE(WithinWorkingHours(Hours(9, 18, {}), *utc, Utc(24 + 10)));  // Saturday
}

TEST(WorkingHours, OvernightShift) {
  auto utc = TimeZone::Fixed("UTC", 0);
  auto h = Hours(22, 6, {});
  EXPECT_TRUE(WithinWorkingHours(h, *utc, Utc(23)));
  EXPECT_TRUE(WithinWorkingHours(h, *utc, Utc(5, 59)));
  EXPECT_FALSE(WithinWorkingHours(h, *utc, Utc(6)));
  EXPECT_FALSE(WithinWorkingHours(h, *utc, Utc(21, 59)));
}

TEST(WorkingHours, DstZoneUsesTheOffsetOfTheInstant) {
  auto berlin = TimeZone::FromPosix("Europe/Berlin", "CET-1CEST,M3.5.0,M10.5.0/3");
  ASSERT_TRUE(berlin.ok());
  auto h = Hours(9, 18, {});
  // 2024-03-31 07:30 UTC: 09:30 CEST (after the switch) -> open.
  EXPECT_TRUE(WithinWorkingHours(h, **berlin, system_clock::time_point(seconds(1711870200))));
  // 2024-03-30 07:30 UTC: 08:30 CET -> closed.
  EXPECT_FALSE(WithinWorkingHours(h, **berlin, system_clock::time_point(seconds(1711783800))));
}

// Holiday calendars (docs/domain-rules.md, "Calendars"): the tests' Friday
// 2025-11-21 off, Saturday 2025-11-22 worked, Monday 2025-11-24 short.
HolidayCalendar TestCalendar() {
  leadflow::config::v1::HolidayCalendar c;
  c.set_calendar_id("T");
  c.set_covers_from("2025-11-01");
  c.set_covers_to("2025-11-30");
  c.add_days_off("2025-11-21");
  c.add_working_days("2025-11-22");
  c.add_short_days("2025-11-24");
  return *HolidayCalendar::Create(c, "holiday_calendars[0]");
}

TEST(WorkingHours, ADayOffIsNeverAtWork) {
  auto msk = TimeZone::Fixed("Europe/Moscow", 3 * 3600);
  const auto cal = TestCalendar();
  auto h = Hours(9, 18, {1, 2, 3, 4, 5});
  std::string detail;
  EXPECT_TRUE(WithinWorkingHours(h, *msk, Utc(9), &detail));  // no calendar: Fri 12:00
  EXPECT_FALSE(WithinWorkingHours(h, *msk, Utc(9), &detail, &cal));
  EXPECT_EQ(detail, "holiday 2025-11-21 (calendar T)");
  // The day is the local one: Thu 23:30 UTC is Friday in Moscow already.
  EXPECT_FALSE(WithinWorkingHours(Hours(0, 24, {}), *msk, Utc(-1, 30), nullptr, &cal));
}

TEST(WorkingHours, AMovedWorkingDayIsAtWorkWhateverItsWeekday) {
  auto msk = TimeZone::Fixed("Europe/Moscow", 3 * 3600);
  const auto cal = TestCalendar();
  auto h = Hours(9, 18, {1, 2, 3, 4, 5});
  EXPECT_FALSE(WithinWorkingHours(h, *msk, Utc(24 + 9)));        // Sat 12:00
  EXPECT_TRUE(WithinWorkingHours(h, *msk, Utc(24 + 9), nullptr, &cal));
  EXPECT_FALSE(WithinWorkingHours(h, *msk, Utc(24 + 15), nullptr, &cal));  // Sat 18:00
}

TEST(WorkingHours, AShortDayEndsAnHourEarly) {
  auto msk = TimeZone::Fixed("Europe/Moscow", 3 * 3600);
  const auto cal = TestCalendar();
  auto h = Hours(9, 18, {1, 2, 3, 4, 5});
  // Monday 2025-11-24: 16:59 Moscow at work, 17:00 not (18:00 on other days).
  EXPECT_TRUE(WithinWorkingHours(h, *msk, Utc(72 + 13, 59), nullptr, &cal));
  EXPECT_FALSE(WithinWorkingHours(h, *msk, Utc(72 + 14), nullptr, &cal));
  EXPECT_TRUE(WithinWorkingHours(h, *msk, Utc(72 + 14)));
}

}  // namespace
}  // namespace leadflow::routing
