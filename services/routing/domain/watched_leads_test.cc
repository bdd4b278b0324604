#include "routing/domain/watched_leads.h"

#include <gtest/gtest.h>

namespace leadflow::routing {
namespace {

namespace rv1 = leadflow::routing::v1;

rv1::LeadChange Change(const std::string& lead, rv1::SalesState state, int64_t version,
                       const std::string& rep = "r1") {
  rv1::LeadChange c;
  c.set_lead_id(lead);
  c.set_state(state);
  c.set_version(version);
  c.set_rep_id(rep);
  return c;
}

TEST(WatchedLeads, SendsEachChangeOnceAndNeverAnOlderOne) {
  WatchedLeads w;
  EXPECT_TRUE(w.ShouldSend(Change("L1", rv1::SALES_ASSIGNED, 10)));
  EXPECT_FALSE(w.ShouldSend(Change("L1", rv1::SALES_ASSIGNED, 10)));  // the same again
  EXPECT_FALSE(w.ShouldSend(Change("L1", rv1::SALES_ASSIGNED, 9)));   // older
  EXPECT_TRUE(w.ShouldSend(Change("L1", rv1::SALES_ACCEPTED, 10)));   // same version, new state
  EXPECT_TRUE(w.ShouldSend(Change("L1", rv1::SALES_IN_STAGE, 11)));
  EXPECT_FALSE(w.ShouldSend(Change("L2", rv1::SALES_STATE_UNSPECIFIED, 1)));
}

TEST(WatchedLeads, AFinishedLeadIsNotSentAgainAndNoLongerFollowed) {
  WatchedLeads w;
  EXPECT_TRUE(w.ShouldSend(Change("L1", rv1::SALES_ASSIGNED, 10)));
  EXPECT_TRUE(w.ShouldSend(Change("L1", rv1::SALES_CLOSED, 12)));
  EXPECT_FALSE(w.ShouldSend(Change("L1", rv1::SALES_CLOSED, 12)));  // a late copy
  EXPECT_TRUE(w.Gone({}).empty());
  // A new life of the lead (another version) is news.
  EXPECT_TRUE(w.ShouldSend(Change("L1", rv1::SALES_ASSIGNED, 20)));
}

TEST(WatchedLeads, GoneListsFollowedLeadsNotSeenExceptQueuedOnes) {
  WatchedLeads w;
  ASSERT_TRUE(w.ShouldSend(Change("L1", rv1::SALES_ASSIGNED, 1)));
  ASSERT_TRUE(w.ShouldSend(Change("L2", rv1::SALES_ACCEPTED, 1)));
  ASSERT_TRUE(w.ShouldSend(Change("Q1", rv1::SALES_QUEUED, 1)));
  EXPECT_EQ(w.Gone({"L1"}), std::vector<std::string>{"L2"});
  w.Forget("L2");
  EXPECT_TRUE(w.Gone({"L1"}).empty());
}

TEST(WatchedLeads, RemembersABoundedNumberOfFinishedLeads) {
  WatchedLeads w;
  for (size_t i = 0; i <= WatchedLeads::kFinishedRemembered; ++i) {
    ASSERT_TRUE(w.ShouldSend(Change("L" + std::to_string(i), rv1::SALES_REJECTED, 1)));
  }
  // The oldest was forgotten: its copy is sent again; the newest is not.
  EXPECT_TRUE(w.ShouldSend(Change("L0", rv1::SALES_REJECTED, 1)));
  EXPECT_FALSE(w.ShouldSend(
      Change("L" + std::to_string(WatchedLeads::kFinishedRemembered), rv1::SALES_REJECTED, 1)));
}

}  // namespace
}  // namespace leadflow::routing
