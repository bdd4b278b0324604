#include "routing/domain/time_zone.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace leadflow::routing {
namespace {

using std::chrono::seconds;
using std::chrono::system_clock;

system_clock::time_point At(int64_t unix_seconds) {
  return system_clock::time_point(seconds(unix_seconds));
}

TEST(PosixTzRule, FixedOffsets) {
  auto msk = PosixTzRule::Parse("MSK-3");
  ASSERT_TRUE(msk.ok()) << msk.status().message();
  EXPECT_EQ(msk->UtcOffsetAt(0), 3 * 3600);
  auto numeric = PosixTzRule::Parse("<+05>-5");
  ASSERT_TRUE(numeric.ok());
  EXPECT_EQ(numeric->UtcOffsetAt(1717200000), 5 * 3600);
  auto west = PosixTzRule::Parse("<-0330>3:30");
  ASSERT_TRUE(west.ok());
  EXPECT_EQ(west->UtcOffsetAt(0), -(3 * 3600 + 1800));
}

TEST(PosixTzRule, NorthernDstTransitionsExactlyAtTheRuleInstant) {
  auto cet = PosixTzRule::Parse("CET-1CEST,M3.5.0,M10.5.0/3");
  ASSERT_TRUE(cet.ok()) << cet.status().message();
  // 2024-03-31 01:00 UTC = 02:00 CET: DST starts.
  EXPECT_EQ(cet->UtcOffsetAt(1711846800 - 1), 3600);
  EXPECT_EQ(cet->UtcOffsetAt(1711846800), 7200);
  // 2024-10-27 01:00 UTC = 03:00 CEST: DST ends.
  EXPECT_EQ(cet->UtcOffsetAt(1729990800 - 1), 7200);
  EXPECT_EQ(cet->UtcOffsetAt(1729990800), 3600);
}

TEST(PosixTzRule, SouthernDstSpansNewYear) {
  auto syd = PosixTzRule::Parse("AEST-10AEDT,M10.1.0,M4.1.0/3");
  ASSERT_TRUE(syd.ok()) << syd.status().message();
  EXPECT_EQ(syd->UtcOffsetAt(1705276800), 11 * 3600);  // 2024-01-15
  EXPECT_EQ(syd->UtcOffsetAt(1721001600), 10 * 3600);  // 2024-07-15
}

TEST(PosixTzRule, JulianAndZeroBasedDayRules) {
  auto j = PosixTzRule::Parse("AAA-1BBB,J60/0,J300/0");
  ASSERT_TRUE(j.ok()) << j.status().message();
  // J60 is March 1 even in a leap year; 2024-02-29 12:00 UTC is still standard.
  EXPECT_EQ(j->UtcOffsetAt(1709208000), 3600);
  EXPECT_EQ(j->UtcOffsetAt(1709294400), 7200);  // 2024-03-01 13:00 local
  auto n = PosixTzRule::Parse("AAA-1BBB,59/0,300/0");
  ASSERT_TRUE(n.ok()) << n.status().message();
  EXPECT_EQ(n->UtcOffsetAt(1709208000), 7200);  // day 59 of 2024 is Feb 29
}

TEST(PosixTzRule, RejectsGarbage) {
  for (const char* bad : {"", "M", "MSK", "MSK-3X", "CET-1CEST,M3.5.0", "CET-1CEST,M13.5.0,M10.5.0",
                          "CET-1CEST,M3.6.0,M10.5.0", "<+05-5", "CET-200"}) {
    EXPECT_FALSE(PosixTzRule::Parse(bad).ok()) << bad;
  }
}

TEST(TimeZone, FixedZoneLocalTime) {
  auto tz = TimeZone::Fixed("Test/Plus3", 3 * 3600);
  // 2025-11-21 05:59 UTC is a Friday, 08:59 local.
  LocalTime l = tz->ToLocal(At(1763704740));
  EXPECT_EQ(l.year, 2025);
  EXPECT_EQ(l.month, 11);
  EXPECT_EQ(l.day, 21);
  EXPECT_EQ(l.weekday, 5);
  EXPECT_EQ(l.hour, 8);
  EXPECT_EQ(l.minute, 59);
}

TEST(TimeZone, LocalDateCrossesMidnight) {
  auto tz = TimeZone::Fixed("Test/Plus7", 7 * 3600);
  // 2025-11-21 20:00 UTC = Saturday 03:00 local.
  LocalTime l = tz->ToLocal(At(1763704800 + 14 * 3600));
  EXPECT_EQ(l.day, 22);
  EXPECT_EQ(l.weekday, 6);
  EXPECT_EQ(l.hour, 3);
  auto west = TimeZone::Fixed("Test/Minus5", -5 * 3600);
  LocalTime w = west->ToLocal(At(0));
  EXPECT_EQ(w.year, 1969);
  EXPECT_EQ(w.day, 31);
  EXPECT_EQ(w.hour, 19);
  EXPECT_EQ(w.weekday, 3);
}

TEST(TimeZone, RejectsBadTzif) {
  EXPECT_FALSE(TimeZone::FromTzif("x", "").ok());
  EXPECT_FALSE(TimeZone::FromTzif("x", "not a tzif file at all, definitely not one....").ok());
  std::string truncated = "TZif2";
  truncated.resize(44, '\0');
  truncated[43] = 1;  // one type, but no data
  EXPECT_FALSE(TimeZone::FromTzif("x", truncated).ok());
}

std::string ReadSystemZone(const std::string& name) {
  std::ifstream in("/usr/share/zoneinfo/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(TimeZone, SystemTzifFiles) {
  const std::string moscow = ReadSystemZone("Europe/Moscow");
  ASSERT_FALSE(moscow.empty()) << "no system tzdata (scripts/bootstrap installs tzdata)";
  auto msk = TimeZone::FromTzif("Europe/Moscow", moscow);
  ASSERT_TRUE(msk.ok()) << msk.status().message();
  EXPECT_EQ((*msk)->UtcOffsetAt(At(1717200000)), 3 * 3600);  // 2024
  EXPECT_EQ((*msk)->UtcOffsetAt(At(1338508800)), 4 * 3600);  // 2012: MSK+4 era
  EXPECT_EQ((*msk)->UtcOffsetAt(At(2224756800)), 3 * 3600);  // 2040, via the footer

  auto nsk = TimeZone::FromTzif("Asia/Novosibirsk", ReadSystemZone("Asia/Novosibirsk"));
  ASSERT_TRUE(nsk.ok()) << nsk.status().message();
  EXPECT_EQ((*nsk)->UtcOffsetAt(At(1717200000)), 7 * 3600);

  auto ny = TimeZone::FromTzif("America/New_York", ReadSystemZone("America/New_York"));
  ASSERT_TRUE(ny.ok()) << ny.status().message();
  EXPECT_EQ((*ny)->UtcOffsetAt(At(2224756800)), -4 * 3600);  // July 2040: EDT
  EXPECT_EQ((*ny)->UtcOffsetAt(At(2210241600)), -5 * 3600);  // Jan 2040: EST
  EXPECT_EQ((*ny)->UtcOffsetAt(At(1721001600)), -4 * 3600);  // July 2024
}

}  // namespace
}  // namespace leadflow::routing
