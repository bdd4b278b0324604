#include "routing/app/assignment_broadcaster.h"

#include <gtest/gtest.h>

#include <thread>

namespace leadflow::routing {
namespace {

using Next = AssignmentBroadcaster::Subscription::Next;

leadflow::routing::v1::LeadAssigned Event(const std::string& rep, const std::string& team) {
  leadflow::routing::v1::LeadAssigned e;
  e.mutable_decision()->set_rep_id(rep);
  e.mutable_decision()->set_team(team);
  return e;
}

TEST(AssignmentBroadcaster, FiltersByRepAndTeam) {
  AssignmentBroadcaster b;
  auto by_rep = b.Subscribe("r1", "");
  auto by_team = b.Subscribe("", "t2");
  b.Publish(Event("r1", "t1"));
  b.Publish(Event("r2", "t2"));
  leadflow::routing::v1::LeadAssigned got;
  ASSERT_EQ(by_rep->Pop(std::chrono::milliseconds(10), &got), Next::kItem);
  EXPECT_EQ(got.decision().rep_id(), "r1");
  EXPECT_EQ(by_rep->Pop(std::chrono::milliseconds(10), &got), Next::kTimeout);
  ASSERT_EQ(by_team->Pop(std::chrono::milliseconds(10), &got), Next::kItem);
  EXPECT_EQ(got.decision().team(), "t2");
}

// The rep a lead was taken from hears of it (issue 17: the stream never said
// a lead was re-assigned).
TEST(AssignmentBroadcaster, AReassignmentReachesThePreviousRep) {
  AssignmentBroadcaster b;
  auto old_rep = b.Subscribe("r1", "");
  auto bystander = b.Subscribe("r3", "");
  auto e = Event("r2", "t1");
  e.mutable_decision()->set_outcome(leadflow::routing::v1::REASSIGNED);
  e.add_previous_reps("r1");
  b.Publish(e);
  leadflow::routing::v1::LeadAssigned got;
  ASSERT_EQ(old_rep->Pop(std::chrono::milliseconds(10), &got), Next::kItem);
  EXPECT_EQ(got.decision().rep_id(), "r2");
  EXPECT_EQ(bystander->Pop(std::chrono::milliseconds(10), &got), Next::kTimeout);
}

TEST(AssignmentBroadcaster, BoundedQueueDropsOldest) {
  AssignmentBroadcaster b(2);
  auto s = b.Subscribe("", "t");
  for (const char* rep : {"a", "b", "c"}) b.Publish(Event(rep, "t"));
  EXPECT_EQ(s->dropped(), 1u);
  leadflow::routing::v1::LeadAssigned got;
  ASSERT_EQ(s->Pop(std::chrono::milliseconds(1), &got), Next::kItem);
  EXPECT_EQ(got.decision().rep_id(), "b");
}

TEST(AssignmentBroadcaster, CloseWakesWaitersAndEndsStreams) {
  AssignmentBroadcaster b;
  auto s = b.Subscribe("r", "");
  std::thread closer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    b.Close();
  });
  leadflow::routing::v1::LeadAssigned got;
  EXPECT_EQ(s->Pop(std::chrono::seconds(5), &got), Next::kClosed);
  closer.join();
  EXPECT_EQ(b.subscribers(), 0u);
  EXPECT_EQ(b.Subscribe("r", "")->Pop(std::chrono::milliseconds(1), &got), Next::kClosed);
}

TEST(AssignmentBroadcaster, UnsubscribeStopsDelivery) {
  AssignmentBroadcaster b;
  auto s = b.Subscribe("r", "");
  b.Unsubscribe(s);
  EXPECT_EQ(b.subscribers(), 0u);
  b.Publish(Event("r", "t"));
  leadflow::routing::v1::LeadAssigned got;
  EXPECT_EQ(s->Pop(std::chrono::milliseconds(1), &got), Next::kTimeout);
}

}  // namespace
}  // namespace leadflow::routing
