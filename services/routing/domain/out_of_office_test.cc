#include "routing/domain/out_of_office.h"

#include <gtest/gtest.h>

namespace leadflow::routing {
namespace {

namespace rv1 = leadflow::routing::v1;
using Windows = google::protobuf::RepeatedPtrField<rv1::OutOfOfficeWindow>;

constexpr int64_t kNow = 1796083200000;  // 2026-12-01T00:00Z
constexpr int64_t kHour = 3600 * 1000;

void Add(Windows& w, int64_t start_ms, int64_t end_ms) {
  auto* x = w.Add();
  x->mutable_start()->set_seconds(start_ms / 1000);
  x->mutable_end()->set_seconds(end_ms / 1000);
}

TEST(OutOfOffice, SortsMergesAndDropsEndedWindows) {
  Windows w;
  Add(w, kNow + 10 * kHour, kNow + 12 * kHour);
  Add(w, kNow - 5 * kHour, kNow - kHour);        // over: dropped
  Add(w, kNow + kHour, kNow + 3 * kHour);
  Add(w, kNow + 2 * kHour, kNow + 4 * kHour);    // overlaps the one before
  auto out = OutOfOfficeFromProto(w, kNow);
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(*out, (OutOfOffice{{kNow + kHour, kNow + 4 * kHour},
                               {kNow + 10 * kHour, kNow + 12 * kHour}}));
  Windows back;
  ToProto(*out, &back);
  ASSERT_EQ(back.size(), 2);
  EXPECT_EQ(back[0].start().seconds() * 1000, kNow + kHour);
}

TEST(OutOfOffice, ErrorsNameTheWindowAndField) {
  auto err = [](const Windows& w) {
    auto r = OutOfOfficeFromProto(w, kNow);
    return r.ok() ? std::string("ok") : r.status().message();
  };
  Windows w;
  Add(w, kNow, kNow + kHour);
  Add(w, kNow + 2 * kHour, kNow + 2 * kHour);
  EXPECT_EQ(err(w), "windows[1].end: must be after start");
  w.Clear();
  w.Add()->mutable_end()->set_seconds(kNow / 1000);
  EXPECT_EQ(err(w), "windows[0].start: required");
  w.Clear();
  Add(w, kNow, kNow + 367 * 24 * kHour);
  EXPECT_EQ(err(w), "windows[0].end: a window lasts at most 366 days");
  w.Clear();
  for (int i = 0; i < 21; ++i) Add(w, kNow + i * kHour, kNow + i * kHour + 60000);
  EXPECT_EQ(err(w), "windows: at most 20 per rep, got 21");
}

TEST(OutOfOffice, WindowAtIsHalfOpen) {
  const OutOfOffice w{{kNow, kNow + kHour}};
  EXPECT_EQ(WindowAt(w, kNow - 1), nullptr);
  EXPECT_NE(WindowAt(w, kNow), nullptr);
  EXPECT_NE(WindowAt(w, kNow + kHour - 1), nullptr);
  EXPECT_EQ(WindowAt(w, kNow + kHour), nullptr);
}

TEST(OutOfOffice, EncodingRoundTripsAndSkipsJunk) {
  const OutOfOffice w{{kNow, kNow + kHour}, {kNow + 2 * kHour, kNow + 3 * kHour}};
  EXPECT_EQ(DecodeOutOfOffice(EncodeOutOfOffice(w)), w);
  EXPECT_EQ(EncodeOutOfOffice({}), "");
  EXPECT_TRUE(DecodeOutOfOffice("").empty());
  EXPECT_EQ(DecodeOutOfOffice("x,5-3,1-2,7-,-9,10-20z,30-40"),
            (OutOfOffice{{1, 2}, {30, 40}}));
}

TEST(OutOfOffice, UtcMinuteForTheDecisionPath) {
  EXPECT_EQ(UtcMinute(kNow + 9 * kHour + 30 * 60000), "2026-12-01T09:30Z");
}

}  // namespace
}  // namespace leadflow::routing
