#include "nurture/domain/send_window.h"

#include <gtest/gtest.h>

namespace leadflow::nurture {
namespace {

using leadflow::config::v1::FrequencyCaps;
using leadflow::config::v1::QuietHours;

constexpr int64_t kH = 3600 * 1000;
// Friday 2025-11-21 09:00 UTC = 12:00 Moscow (UTC+3) = 19:00 Vladivostok (UTC+10).
constexpr int64_t kNoonMsk = 1763715600000;

FrequencyCaps Caps(int day, int week) {
  FrequencyCaps c;
  c.set_per_day(day);
  c.set_per_week(week);
  return c;
}

QuietHours Quiet(int start, int end, const std::string& tz = "Europe/Moscow") {
  QuietHours q;
  q.set_start_hour(start);
  q.set_end_hour(end);
  q.set_default_time_zone(tz);
  return q;
}

TEST(SendWindow, FreeContactSendsNow) {
  auto d = EarliestSend(kNoonMsk, {}, Caps(1, 3), Quiet(21, 9), "");
  EXPECT_EQ(d.at_ms, kNoonMsk);
  EXPECT_EQ(d.reason, HoldReason::kNone);
}

TEST(SendWindow, DailyCapDefersUntilTheSendLeavesTheRolling24Hours) {
  auto d = EarliestSend(kNoonMsk, {kNoonMsk - 1 * kH}, Caps(1, 3), Quiet(21, 9), "");
  EXPECT_EQ(d.at_ms, kNoonMsk + 23 * kH);  // 11:00 Moscow next day: outside quiet hours
  EXPECT_EQ(d.reason, HoldReason::kFrequencyCap);
  // Exactly 24 hours later the window has room again.
  d = EarliestSend(kNoonMsk, {kNoonMsk - 24 * kH}, Caps(1, 3), Quiet(21, 9), "");
  EXPECT_EQ(d.at_ms, kNoonMsk);
}

TEST(SendWindow, DailyCapCountsSendsOfAllTracks) {
  // per_day 2: two sends in the last day (any tracks) block; the older frees first.
  auto d = EarliestSend(kNoonMsk, {kNoonMsk - 2 * kH, kNoonMsk - 5 * kH}, Caps(2, 10),
                        Quiet(0, 0), "");
  EXPECT_EQ(d.at_ms, kNoonMsk + 19 * kH);
  EXPECT_EQ(d.reason, HoldReason::kFrequencyCap);
  d = EarliestSend(kNoonMsk, {kNoonMsk - 2 * kH}, Caps(2, 10), Quiet(0, 0), "");
  EXPECT_EQ(d.at_ms, kNoonMsk);
}

TEST(SendWindow, WeeklyCapDefersUntilTheOldestSendOfTheWeekExpires) {
  const std::vector<int64_t> sends = {kNoonMsk - 6 * kDayMs, kNoonMsk - 4 * kDayMs,
                                      kNoonMsk - 2 * kDayMs};
  auto d = EarliestSend(kNoonMsk, sends, Caps(1, 3), Quiet(0, 0), "");
  EXPECT_EQ(d.at_ms, kNoonMsk + kDayMs);
  EXPECT_EQ(d.reason, HoldReason::kFrequencyCap);
}

TEST(SendWindow, SendsOlderThanAWeekAreIgnored) {
  const std::vector<int64_t> sends = {kNoonMsk - 8 * kDayMs, kNoonMsk - 9 * kDayMs,
                                      kNoonMsk - 10 * kDayMs, kNoonMsk - 7 * kDayMs};
  auto d = EarliestSend(kNoonMsk, sends, Caps(1, 3), Quiet(21, 9), "");
  EXPECT_EQ(d.at_ms, kNoonMsk);
}

TEST(SendWindow, QuietHoursWrapMidnightInTheDefaultZone) {
  const QuietHours q = Quiet(21, 9);
  // 22:00 Moscow = 19:00 UTC -> next day 09:00 Moscow = 06:00 UTC.
  const int64_t late = kNoonMsk + 10 * kH;
  EXPECT_TRUE(InQuietHours(late, q, ""));
  auto d = EarliestSend(late, {}, Caps(1, 3), q, "");
  EXPECT_EQ(d.at_ms, kNoonMsk + 21 * kH);
  EXPECT_EQ(d.reason, HoldReason::kQuietHours);
  // 03:00 Moscow (after midnight) -> 09:00 the same local day.
  const int64_t night = kNoonMsk + 15 * kH;
  EXPECT_EQ(EarliestSend(night, {}, Caps(1, 3), q, "").at_ms, kNoonMsk + 21 * kH);
  // Boundaries: 21:00 is quiet, 09:00 is not, 20:59 is not.
  EXPECT_TRUE(InQuietHours(kNoonMsk + 9 * kH, q, ""));
  EXPECT_FALSE(InQuietHours(kNoonMsk + 21 * kH, q, ""));
  EXPECT_FALSE(InQuietHours(kNoonMsk + 9 * kH - 60000, q, ""));
}

TEST(SendWindow, QuietHoursFollowTheContactsTimeZone) {
  const QuietHours q = Quiet(21, 9);
  // 13:00 UTC: 16:00 in Moscow (fine) but 23:00 in Vladivostok (quiet).
  const int64_t t = kNoonMsk + 4 * kH;
  EXPECT_EQ(EarliestSend(t, {}, Caps(1, 3), q, "Europe/Moscow").at_ms, t);
  auto d = EarliestSend(t, {}, Caps(1, 3), q, "Asia/Vladivostok");
  // 09:00 Vladivostok next day = 23:00 UTC today.
  EXPECT_EQ(d.at_ms, kNoonMsk + 14 * kH);
  EXPECT_EQ(d.reason, HoldReason::kQuietHours);
  EXPECT_EQ(LocalHour(d.at_ms, "Asia/Vladivostok", "Europe/Moscow"), 9);
  // Kaliningrad (UTC+2): 15:00, fine.
  EXPECT_EQ(EarliestSend(t, {}, Caps(1, 3), q, "Europe/Kaliningrad").at_ms, t);
}

TEST(SendWindow, UnknownContactZoneFallsBackToTheDefault) {
  const QuietHours q = Quiet(21, 9);
  const int64_t late = kNoonMsk + 10 * kH;  // 22:00 Moscow
  EXPECT_EQ(EarliestSend(late, {}, Caps(1, 3), q, "Mars/Olympus").at_ms, kNoonMsk + 21 * kH);
  EXPECT_EQ(LocalHour(late, "Mars/Olympus", "Europe/Moscow"), 22);
  EXPECT_FALSE(IsKnownTimeZone("Mars/Olympus"));
  EXPECT_TRUE(IsKnownTimeZone("Asia/Yekaterinburg"));
}

TEST(SendWindow, CapReleaseThatFallsIntoQuietHoursWaitsForMorning) {
  // Sent at 22:00 Moscow yesterday... i.e. a send 14 h ago frees at 22:00 today.
  auto d = EarliestSend(kNoonMsk, {kNoonMsk - 14 * kH}, Caps(1, 3), Quiet(21, 9), "");
  EXPECT_EQ(d.at_ms, kNoonMsk + 21 * kH);  // 09:00 Moscow tomorrow
  EXPECT_EQ(d.reason, HoldReason::kFrequencyCap);
}

TEST(SendWindow, EqualStartAndEndMeansNoQuietHours) {
  for (int h = 0; h < 24; ++h) {
    EXPECT_FALSE(InQuietHours(kNoonMsk + h * kH, Quiet(5, 5), "")) << h;
  }
}

TEST(SendWindow, NonWrappingQuietWindow) {
  const QuietHours lunch = Quiet(13, 14);  // 13:00-14:00 Moscow
  EXPECT_FALSE(InQuietHours(kNoonMsk, lunch, ""));
  EXPECT_TRUE(InQuietHours(kNoonMsk + kH + 30 * 60000, lunch, ""));
  EXPECT_EQ(QuietHoursEnd(kNoonMsk + kH + 30 * 60000, lunch, ""), kNoonMsk + 2 * kH);
  EXPECT_EQ(QuietHoursEnd(kNoonMsk, lunch, ""), kNoonMsk);
}

TEST(SendWindow, DaylightSavingZone) {
  // Berlin leaves summer time on 2025-10-26; on 2025-11-21 it is UTC+1.
  const QuietHours q = Quiet(21, 9, "Europe/Berlin");
  const int64_t t = kNoonMsk + 11 * kH;  // 20:00 UTC = 21:00 Berlin
  EXPECT_TRUE(InQuietHours(t, q, ""));
  EXPECT_EQ(QuietHoursEnd(t, q, ""), kNoonMsk + 23 * kH);  // 08:00 UTC = 09:00 Berlin
  // 19:30 UTC is 20:30 in November (UTC+1) but 21:30 in July (UTC+2).
  EXPECT_FALSE(InQuietHours(kNoonMsk + 10 * kH + 30 * 60000, q, ""));
  const int64_t july = 1752607800000;  // 2025-07-15 19:30 UTC
  EXPECT_TRUE(InQuietHours(july, q, ""));
  EXPECT_EQ(QuietHoursEnd(july, q, ""), july + 11 * kH + 30 * 60000);  // 07:00 UTC = 09:00
}

}  // namespace
}  // namespace leadflow::nurture
