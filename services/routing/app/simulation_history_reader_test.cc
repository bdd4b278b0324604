#include "routing/app/simulation_history_reader.h"

#include <gtest/gtest.h>

#include "common/kafka/topics.h"
#include "leadflow/common/v1/dead_letter.pb.h"

namespace leadflow::routing {
namespace {

namespace cv1 = leadflow::common::v1;
namespace rv1 = leadflow::routing::v1;

kafka::ConsumedMessage Msg(const char* topic, const google::protobuf::Message& m) {
  kafka::ConsumedMessage c;
  c.topic = topic;
  c.payload = m.SerializeAsString();
  return c;
}

leadflow::scoring::v1::LeadScored Scored(const std::string& id, int revision) {
  leadflow::scoring::v1::LeadScored s;
  s.mutable_lead()->mutable_meta()->set_lead_id(id);
  s.mutable_lead()->mutable_meta()->set_relationship(cv1::PROSPECT);
  s.set_revision(revision);
  s.mutable_scored_at()->set_seconds(1000);
  return s;
}

TEST(SimulationHistoryReaderTest, FoldsEachTopicAsRoutingWouldHaveSeenIt) {
  routing::SimulationHistory h;
  std::set<std::string> seen;
  // A lead; one without a relationship is refused by routing, so skipped.
  EXPECT_TRUE(AddRecord(Msg(topics::kLeadsScored, Scored("L-1", 1)), h, seen));
  auto bad = Scored("L-2", 1);
  bad.mutable_lead()->mutable_meta()->clear_relationship();
  EXPECT_TRUE(AddRecord(Msg(topics::kLeadsScored, bad), h, seen));
  ASSERT_EQ(h.leads.size(), 1u);
  EXPECT_EQ(h.leads[0].at_ms, 1000000);  // scored_at when the record time is unknown

  // An assignment, its re-emission (a redelivery) and a queue drain.
  rv1::LeadAssigned a;
  *a.mutable_scored() = Scored("L-1", 1);
  a.mutable_decision()->set_outcome(rv1::QUEUED);
  a.mutable_decision()->set_team("t");
  a.mutable_decision()->mutable_decided_at()->set_seconds(2000);
  EXPECT_TRUE(AddRecord(Msg(topics::kLeadsAssigned, a), h, seen));
  EXPECT_TRUE(AddRecord(Msg(topics::kLeadsAssigned, a), h, seen));
  a.mutable_decision()->set_outcome(rv1::ASSIGNED);
  a.mutable_decision()->set_rep_id("r");
  a.mutable_decision()->mutable_decided_at()->set_seconds(3000);
  a.mutable_decision()->add_path()->set_rule_id("queue.t");
  EXPECT_TRUE(AddRecord(Msg(topics::kLeadsAssigned, a), h, seen));
  ASSERT_EQ(h.decisions.size(), 2u);
  EXPECT_EQ(h.decisions[0].source, routing::DecisionSource::kScored);
  EXPECT_EQ(h.decisions[0].at_ms, 2000000);
  EXPECT_EQ(h.decisions[0].revision, 1);
  EXPECT_EQ(h.decisions[1].source, routing::DecisionSource::kQueueDrain);

  // A protected rejection's nurture request is not a routing decision.
  rv1::NurtureRequested n;
  *n.mutable_scored() = Scored("L-1", 1);
  n.mutable_decision()->set_outcome(rv1::NURTURE);
  n.set_reason(cv1::RIGID_SPEC);
  EXPECT_TRUE(AddRecord(Msg(topics::kLeadsNurture, n), h, seen));
  EXPECT_EQ(h.decisions.size(), 2u);

  // Routing's disqualification counts; intake's rejections do not.
  leadflow::common::v1::LeadRejected r;
  r.set_stage(leadflow::common::v1::ROUTING);
  r.set_disqualified(true);
  r.mutable_meta()->set_lead_id("L-3");
  EXPECT_TRUE(AddRecord(Msg(topics::kLeadsRejected, r), h, seen));
  r.set_stage(leadflow::common::v1::INTAKE);
  r.mutable_meta()->set_lead_id("L-4");
  EXPECT_TRUE(AddRecord(Msg(topics::kLeadsRejected, r), h, seen));
  ASSERT_EQ(h.decisions.size(), 3u);
  EXPECT_EQ(h.decisions[2].lead_id, "L-3");
  EXPECT_EQ(h.decisions[2].decision.outcome(), rv1::DISQUALIFIED);
  EXPECT_EQ(h.decisions[2].revision, 0);

  // Feedback routing applied; one marked with another origin is skipped.
  rv1::SalesFeedback fb;
  fb.set_lead_id("L-1");
  fb.set_kind(rv1::CLOSE);
  fb.mutable_at()->set_seconds(4000);
  EXPECT_TRUE(AddRecord(Msg(topics::kSalesFeedback, fb), h, seen));
  auto foreign = Msg(topics::kSalesFeedback, fb);
  foreign.headers.push_back({"leadflow-origin", "sales-tool"});
  EXPECT_TRUE(AddRecord(foreign, h, seen));
  ASSERT_EQ(h.feedback.size(), 1u);
  EXPECT_EQ(h.feedback[0].at_ms, 4000000);

  rv1::RepAvailabilityChanged av;
  av.set_rep_id("r");
  av.set_availability(rv1::VACATION);
  av.mutable_at()->set_seconds(5000);
  EXPECT_TRUE(AddRecord(Msg(topics::kRepsAvailability, av), h, seen));
  ASSERT_EQ(h.availability.size(), 1u);
  EXPECT_EQ(h.availability[0].at_ms, 5000000);

  // Out-of-office windows as routing applied them; a refused record is not.
  rv1::RepOutOfOffice away;
  away.set_rep_id("r");
  away.mutable_at()->set_seconds(5500);
  auto* w = away.add_windows();
  w->mutable_start()->set_seconds(6000);
  w->mutable_end()->set_seconds(7000);
  EXPECT_TRUE(AddRecord(Msg(topics::kRepsOutOfOffice, away), h, seen));
  away.mutable_windows(0)->mutable_end()->set_seconds(5000);  // ends before it starts
  EXPECT_TRUE(AddRecord(Msg(topics::kRepsOutOfOffice, away), h, seen));
  ASSERT_EQ(h.out_of_office.size(), 1u);
  EXPECT_EQ(h.out_of_office[0].at_ms, 5500000);
  EXPECT_EQ(h.out_of_office[0].windows, (OutOfOffice{{6000000, 7000000}}));

  // Garbage is reported, not folded.
  kafka::ConsumedMessage junk;
  junk.topic = topics::kLeadsAssigned;
  junk.payload = "\xff\xff\xff";
  EXPECT_FALSE(AddRecord(junk, h, seen));
}

}  // namespace
}  // namespace leadflow::routing
