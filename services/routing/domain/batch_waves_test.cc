#include "routing/domain/batch_waves.h"

#include <gtest/gtest.h>

namespace leadflow::routing {
namespace {

using Wave = std::vector<size_t>;

TEST(BatchWaves, ASecondMessageOfALeadWaitsForTheFirst) {
  BatchWaves w({"a", "b", "a", "c", "a"}, 8);
  EXPECT_EQ(w.NextWave(), (Wave{0, 1, 3}));
  for (size_t i : {0, 1, 3}) w.Finish(i);
  EXPECT_FALSE(w.done());
  EXPECT_EQ(w.NextWave(), (Wave{2}));
  w.Finish(2);
  EXPECT_EQ(w.NextWave(), (Wave{4}));
  w.Finish(4);
  EXPECT_TRUE(w.done());
  EXPECT_EQ(w.NextWave(), Wave{});
}

TEST(BatchWaves, ARefusedClaimIsDecidedAgainBeforeTheLeadsLaterMessage) {
  BatchWaves w({"a", "b", "a"}, 8);
  EXPECT_EQ(w.NextWave(), (Wave{0, 1}));
  EXPECT_EQ(w.refused(0), 0);
  EXPECT_TRUE(w.Retry(0));
  w.Finish(1);
  EXPECT_EQ(w.NextWave(), (Wave{0}));  // not message 2: its twin is still open
  EXPECT_EQ(w.refused(0), 1);
  w.Finish(0);
  EXPECT_EQ(w.NextWave(), (Wave{2}));
  EXPECT_EQ(w.refused(2), 0);
}

TEST(BatchWaves, AttemptsAreBounded) {
  BatchWaves w({"a", "b"}, 3);
  EXPECT_TRUE(w.Retry(0));
  EXPECT_TRUE(w.Retry(0));
  EXPECT_FALSE(w.Retry(0));  // the third refusal: give up (the message is retried later)
  EXPECT_TRUE(w.finished(0));
  EXPECT_EQ(w.NextWave(), (Wave{1}));
}

TEST(BatchWaves, EmptyBatchIsDone) {
  BatchWaves w({}, 8);
  EXPECT_TRUE(w.done());
  EXPECT_TRUE(w.NextWave().empty());
}

}  // namespace
}  // namespace leadflow::routing
