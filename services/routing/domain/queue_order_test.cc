// Team queue order (queue_order.h): BANT product, then total score, ties to
// the oldest; configurable keys; entries carry their lead id.
#include "routing/domain/queue_order.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace leadflow::routing {
namespace {

namespace cfg = leadflow::config::v1;

struct Queued {
  std::string id;
  int product;
  double total;
  int64_t ms;
  double fit = 0;
};

std::vector<std::string> Drain(const cfg::QueueOrder& order, std::vector<Queued> leads) {
  std::vector<std::string> entries;
  for (const auto& q : leads) {
    leadflow::scoring::v1::LeadScored s;
    s.mutable_bant()->set_product(q.product);
    s.set_total_score(q.total);
    s.set_fit_score(q.fit);
    entries.push_back(QueueEntry(order, s, q.ms, q.id));
  }
  std::sort(entries.begin(), entries.end(), DrainsBefore);
  std::vector<std::string> ids;
  for (const auto& e : entries) ids.emplace_back(LeadIdOfQueueEntry(e));
  return ids;
}

TEST(QueueOrder, HighestBantProductFirstThenTotalScoreThenOldest) {
  const auto ids = Drain(DefaultQueueOrder(), {{"weak-old", 15, 80.0, 1000},
                                               {"strong", 625, 10.0, 9000},
                                               {"mid-low", 120, 55.5, 3000},
                                               {"mid-high", 120, 70.25, 8000},
                                               {"mid-high-older", 120, 70.25, 4000},
                                               {"weak-new", 15, 80.0, 5000}});
  EXPECT_EQ(ids, (std::vector<std::string>{"strong", "mid-high-older", "mid-high", "mid-low",
                                           "weak-old", "weak-new"}));
}

TEST(QueueOrder, TotalScoresOrderAcrossSignAndMagnitude) {
  const auto ids = Drain(DefaultQueueOrder(), {{"neg", 60, -3.5, 1},
                                               {"zero", 60, 0.0, 2},
                                               {"small", 60, 0.001, 3},
                                               {"big", 60, 1e6, 4},
                                               {"negbig", 60, -1e6, 5},
                                               {"negzero", 60, -0.0, 0}});
  EXPECT_EQ(ids, (std::vector<std::string>{"big", "small", "negzero", "zero", "neg", "negbig"}));
}

TEST(QueueOrder, ConfiguredKeysAndFifo) {
  cfg::QueueOrder by_fit;
  by_fit.add_by(cfg::QUEUE_RANK_FIT_SCORE);
  by_fit.add_by(cfg::QUEUE_RANK_BANT_PRODUCT);
  const std::vector<Queued> leads = {
      {"a", 500, 90, 3000, 10}, {"b", 20, 10, 1000, 40}, {"c", 100, 50, 2000, 40}};
  EXPECT_EQ(Drain(by_fit, leads), (std::vector<std::string>{"c", "b", "a"}));
  cfg::QueueOrder fifo;  // set but empty: first in, first out
  EXPECT_EQ(Drain(fifo, leads), (std::vector<std::string>{"b", "c", "a"}));
}

TEST(QueueOrder, EntryCarriesTheLeadIdWhateverItHolds) {
  leadflow::scoring::v1::LeadScored s;
  s.mutable_bant()->set_product(80);
  const std::string entry = QueueEntry(DefaultQueueOrder(), s, 1765000000000, "lead|with:odd id");
  EXPECT_EQ(LeadIdOfQueueEntry(entry), "lead|with:odd id");
  EXPECT_EQ(LeadIdOfQueueEntry("bare-id"), "bare-id");  // an entry without a rank
  // Deterministic: the same record gives the same entry (the rebuild relies on it).
  EXPECT_EQ(entry, QueueEntry(DefaultQueueOrder(), s, 1765000000000, "lead|with:odd id"));
  // Fixed width: 3 (product) + 16 (total) + 15 (ms) + '|' + id.
  EXPECT_EQ(entry.size(), 3u + 16u + 15u + 1u + std::string("lead|with:odd id").size());
}

TEST(QueueOrder, NamesTheOrder) {
  EXPECT_EQ(QueueOrderName(DefaultQueueOrder()), "QUEUE_RANK_BANT_PRODUCT,QUEUE_RANK_TOTAL_SCORE");
  EXPECT_EQ(QueueOrderName(cfg::QueueOrder()), "fifo");
}

}  // namespace
}  // namespace leadflow::routing
