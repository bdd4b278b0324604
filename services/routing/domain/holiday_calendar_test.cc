#include "routing/domain/holiday_calendar.h"

#include <gtest/gtest.h>

#include <chrono>

#include "common/config/proto_loader.h"
#include "common/testing/paths.h"

namespace leadflow::routing {
namespace {

using Day = HolidayCalendar::Day;

leadflow::config::v1::HolidayCalendar Config() {
  leadflow::config::v1::HolidayCalendar c;
  c.set_calendar_id("RU");
  c.set_covers_from("2026-01-01");
  c.set_covers_to("2026-12-31");
  c.add_days_off("2026-01-09");
  c.add_working_days("2026-11-14");
  c.add_short_days("2026-11-03");
  return c;
}

TEST(CalendarDate, ParsesRealDatesOnly) {
  EXPECT_EQ(ParseCalendarDate("2027-02-28")->day, 28);
  EXPECT_FALSE(ParseCalendarDate("2027-02-29"));  // not a leap year
  EXPECT_TRUE(ParseCalendarDate("2028-02-29"));
  EXPECT_FALSE(ParseCalendarDate("2026-13-01"));
  EXPECT_FALSE(ParseCalendarDate("2026-1-01"));
  EXPECT_FALSE(ParseCalendarDate("2026/01/01"));
  EXPECT_FALSE(ParseCalendarDate("2026-01-0x"));
  EXPECT_EQ((CalendarDate{2026, 1, 9}).ToString(), "2026-01-09");
}

TEST(HolidayCalendar, TellsEachKindOfDay) {
  auto c = HolidayCalendar::Create(Config(), "holiday_calendars[0]");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->id(), "RU");
  EXPECT_EQ(c->KindOf({2026, 1, 9}), Day::kDayOff);
  EXPECT_EQ(c->KindOf({2026, 11, 14}), Day::kWorkingDay);
  EXPECT_EQ(c->KindOf({2026, 11, 3}), Day::kShortDay);
  EXPECT_EQ(c->KindOf({2026, 1, 12}), Day::kAsUsual);
  EXPECT_EQ(c->covers_to().ToString(), "2026-12-31");
  EXPECT_EQ(c->CoveredUntil(), std::chrono::sys_days(std::chrono::year{2027} / 1 / 1));
}

TEST(HolidayCalendar, ErrorsNameTheField) {
  auto err = [](leadflow::config::v1::HolidayCalendar c) {
    auto r = HolidayCalendar::Create(c, "holiday_calendars[2]");
    return r.ok() ? std::string("ok") : r.status().message();
  };
  auto c = Config();
  c.set_calendar_id("");
  EXPECT_EQ(err(c), "holiday_calendars[2].calendar_id: required");
  c = Config();
  c.add_days_off("2026-02-30");
  EXPECT_EQ(err(c), "holiday_calendars[2].days_off[1]: \"2026-02-30\" is not a date (yyyy-mm-dd)");
  c = Config();
  c.add_short_days("2026-01-09");
  EXPECT_EQ(err(c), "holiday_calendars[2].short_days[1]: 2026-01-09 is listed twice");
  c = Config();
  c.add_working_days("2027-01-02");
  EXPECT_EQ(err(c),
            "holiday_calendars[2].working_days[1]: 2027-01-02 is outside covers_from..covers_to");
  c = Config();
  c.set_covers_to("2025-12-31");
  EXPECT_EQ(err(c), "holiday_calendars[2].covers_to: 2025-12-31 is before covers_from 2026-01-01");
  c = Config();
  c.clear_covers_from();
  EXPECT_EQ(err(c), "holiday_calendars[2].covers_from: \"\" is not a date (yyyy-mm-dd)");
}

// The shipped calendar (config/routing_rules.json) against the production
// calendar's 2026 numbers: 247 working days, and the days the decree names.
TEST(HolidayCalendar, ShippedRussianCalendarHas247WorkingDaysIn2026) {
  leadflow::config::v1::RoutingRules rules;
  Status s =
      config::LoadProtoFile(leadflow::testing::SourcePath("config/routing_rules.json"), &rules);
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_EQ(rules.default_holiday_calendar(), "RU");
  ASSERT_EQ(rules.holiday_calendars_size(), 1);
  auto ru = HolidayCalendar::Create(rules.holiday_calendars(0), "holiday_calendars[0]");
  ASSERT_TRUE(ru.ok()) << ru.status().message();
  int working = 0, short_days = 0;
  for (std::chrono::sys_days d = std::chrono::year{2026} / 1 / 1;
       d <= std::chrono::sys_days(std::chrono::year{2026} / 12 / 31); d += std::chrono::days(1)) {
    const std::chrono::year_month_day ymd(d);
    const CalendarDate date{static_cast<int>(ymd.year()), static_cast<int>(unsigned(ymd.month())),
                            static_cast<int>(unsigned(ymd.day()))};
    const unsigned weekday = std::chrono::weekday(d).iso_encoding();
    const Day kind = ru->KindOf(date);
    const bool works = kind == Day::kWorkingDay || kind == Day::kShortDay ||
                       (kind == Day::kAsUsual && weekday <= 5);
    working += works;
    short_days += kind == Day::kShortDay;
  }
  EXPECT_EQ(working, 247);
  EXPECT_EQ(short_days, 4);
  EXPECT_EQ(ru->KindOf({2026, 1, 9}), Day::kDayOff);    // moved from Sat 3 January
  EXPECT_EQ(ru->KindOf({2026, 12, 31}), Day::kDayOff);  // moved from Sun 4 January
  EXPECT_EQ(ru->KindOf({2026, 3, 9}), Day::kDayOff);    // 8 March fell on a Sunday
  EXPECT_EQ(ru->KindOf({2026, 1, 12}), Day::kAsUsual);
}

}  // namespace
}  // namespace leadflow::routing
