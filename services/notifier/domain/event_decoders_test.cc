#include "notifier/domain/event_decoders.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/kafka/topics.h"
#include "leadflow/nurture/v1/nurture.pb.h"
#include "leadflow/routing/v1/routing.pb.h"
#include "leadflow/routing/v1/sla_escalation.pb.h"
#include "notifier/domain/event_id.h"
#include "notifier/domain/event_table.h"

namespace leadflow::notifier {
namespace {

using ::testing::Contains;
using ::testing::Pair;

routing::v1::LeadAssigned Assigned(routing::v1::RoutingOutcome outcome) {
  routing::v1::LeadAssigned a;
  auto* lead = a.mutable_scored()->mutable_lead();
  lead->mutable_meta()->set_lead_id("L-1");
  lead->mutable_meta()->set_account_key("ceo@example.com");  // an account key may be an email
  lead->mutable_contact()->set_email("ceo@example.com");
  a.mutable_scored()->set_grade("A");
  a.mutable_decision()->set_outcome(outcome);
  a.mutable_decision()->set_team("enterprise");
  a.mutable_decision()->set_rep_id("en-orlov");
  auto* step = a.mutable_decision()->add_path();
  step->set_rule_id("team.enterprise");
  step->set_matched(true);
  step = a.mutable_decision()->add_path();
  step->set_rule_id("rep.en-ivanova");
  step->set_matched(false);
  step->set_detail("skipped: daily cap 10/10");
  a.mutable_decision()->mutable_decided_at()->set_seconds(1768381200);
  a.mutable_sla_due_at()->set_seconds(1768384800);
  return a;
}

TEST(EventDecodersTest, AssignedTellsRepAndTeamWithIdsOnly) {
  auto r = DecodeLeadAssigned(Assigned(routing::v1::ASSIGNED).SerializeAsString());
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->has_value());
  const Notification& n = **r;
  EXPECT_EQ(n.kind, "lead_assigned");
  EXPECT_EQ(n.rep_ids, (std::vector<std::string>{"en-orlov"}));
  EXPECT_EQ(n.teams, (std::vector<std::string>{"enterprise"}));
  EXPECT_THAT(n.fields, Contains(Pair("lead_id", "L-1")));
  EXPECT_THAT(n.fields, Contains(Pair("reason", "team.enterprise")));
  EXPECT_THAT(n.fields, Contains(Pair("sla_due_at", "2026-01-14T10:00:00.000Z")));
  EXPECT_EQ(n.occurred_at_ms, 1768381200000);
  for (const auto& [k, v] : n.fields) {
    EXPECT_EQ(v.find('@'), std::string::npos) << k << ": no email leaves";
    EXPECT_EQ(v.find("skipped"), std::string::npos) << k << ": no free-text details";
  }
}

TEST(EventDecodersTest, QueuedTellsTheTeamOnly) {
  auto r = DecodeLeadAssigned(Assigned(routing::v1::QUEUED).SerializeAsString());
  ASSERT_TRUE(r.ok() && r->has_value());
  EXPECT_EQ((*r)->kind, "lead_queued");
  EXPECT_TRUE((*r)->rep_ids.empty());
  EXPECT_EQ((*r)->teams, (std::vector<std::string>{"enterprise"}));
}

TEST(EventDecodersTest, NurtureOutcomeTellsNobodyAndGarbageIsInvalid) {
  auto r = DecodeLeadAssigned(Assigned(routing::v1::NURTURE).SerializeAsString());
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
  EXPECT_FALSE(DecodeLeadAssigned("\xff\xff\xff garbage").ok());
  EXPECT_FALSE(DecodeDealStalled("\xff\xff\xff").ok());
  EXPECT_FALSE(DecodeAccountNotification("\xff\xff\xff").ok());
}

TEST(EventDecodersTest, RefusalsNameTheTypeExpected) {
  EXPECT_EQ(DecodeDealStalled("\xff\xff\xff").status().message(), "not a routing.v1.DealStalled");
  EXPECT_EQ(DecodeSlaEscalation("\xff\xff").status().message(), "not a routing.v1.SlaEscalation");
  EXPECT_EQ(DecodeDealStalled(routing::v1::DealStalled().SerializeAsString()).status().message(),
            "DealStalled without lead_id");
  EXPECT_EQ(
      DecodeSlaEscalation(routing::v1::SlaEscalation().SerializeAsString()).status().message(),
      "SlaEscalation without lead_id");
}

TEST(EventDecodersTest, StallTellsOwnerAndTeamAndHasItsOwnId) {
  routing::v1::DealStalled s;
  s.set_lead_id("L-7");
  s.set_rep_id("en-orlov");
  s.set_team("enterprise");
  s.set_stage("proposal");
  s.set_ms_in_stage(15 * 86400000LL);
  s.set_max_ms_in_stage(14 * 86400000LL);
  s.set_version(99);
  auto r = DecodeDealStalled(s.SerializeAsString());
  ASSERT_TRUE(r.ok() && r->has_value());
  EXPECT_EQ((*r)->kind, "deal_stalled");
  EXPECT_EQ((*r)->rep_ids, (std::vector<std::string>{"en-orlov"}));
  EXPECT_EQ((*r)->teams, (std::vector<std::string>{"enterprise"}));
  EXPECT_THAT((*r)->fields, Contains(Pair("stage", "proposal")));
  EXPECT_THAT((*r)->fields, Contains(Pair("days_in_stage", "15")));
  // The same stall re-published on another offset keeps its event id.
  EXPECT_EQ(EventId(topics::kDealsStalls, 0, 5, (*r)->natural_id),
            EventId(topics::kDealsStalls, 2, 900, (*r)->natural_id));
}

TEST(EventDecodersTest, CustomerRespondedTellsTheOwnerTouchSentNobody) {
  nurture::v1::AccountNotification a;
  a.set_account_key("ceo@example.com");
  a.set_owner_rep_id("ka-vorontsov");
  a.set_contact_id("c-0123");
  a.set_kind(nurture::v1::CUSTOMER_RESPONDED);
  a.mutable_response()->set_event_id("e-1");
  a.mutable_response()->set_kind(nurture::v1::MEETING);
  a.mutable_response()->set_lead_id("L-9");
  auto r = DecodeAccountNotification(a.SerializeAsString());
  ASSERT_TRUE(r.ok() && r->has_value());
  EXPECT_EQ((*r)->kind, "customer_responded");
  EXPECT_EQ((*r)->rep_ids, (std::vector<std::string>{"ka-vorontsov"}));
  EXPECT_THAT((*r)->fields, Contains(Pair("lead_id", "L-9")));
  EXPECT_THAT((*r)->fields, Contains(Pair("response", "MEETING")));
  for (const auto& [k, v] : (*r)->fields) EXPECT_EQ(v.find('@'), std::string::npos) << k;
  a.set_kind(nurture::v1::TOUCH_SENT);
  r = DecodeAccountNotification(a.SerializeAsString());
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
}

TEST(EventDecodersTest, SlaReminderTellsTheRepEscalationTheTeamReassignedNobody) {
  routing::v1::SlaEscalation e;
  e.set_lead_id("L-7");
  e.set_team("key-accounts");
  e.set_rep_id("ka-belova");
  e.set_escalate_to("TEAM_LEAD");
  e.set_step(routing::v1::SLA_STEP_REMINDER);
  e.mutable_due_at()->set_seconds(1768381200);
  auto r = DecodeSlaEscalation(e.SerializeAsString());
  ASSERT_TRUE(r.ok() && r->has_value());
  EXPECT_EQ((*r)->kind, "sla_reminder");
  EXPECT_EQ((*r)->rep_ids, (std::vector<std::string>{"ka-belova"}));
  EXPECT_TRUE((*r)->teams.empty());
  // A duplicate of the same step (at least once) keeps its event id.
  EXPECT_EQ(EventId(topics::kSlaEscalations, 0, 5, (*r)->natural_id),
            EventId(topics::kSlaEscalations, 0, 6, (*r)->natural_id));
  const std::string reminder_id = (*r)->natural_id;

  e.set_step(routing::v1::SLA_STEP_ESCALATION);
  e.mutable_due_at()->set_seconds(1768383000);
  r = DecodeSlaEscalation(e.SerializeAsString());
  ASSERT_TRUE(r.ok() && r->has_value());
  EXPECT_EQ((*r)->kind, "sla_escalation");
  EXPECT_EQ((*r)->teams, (std::vector<std::string>{"key-accounts"}));
  EXPECT_THAT((*r)->fields, Contains(Pair("escalate_to", "TEAM_LEAD")));
  EXPECT_NE((*r)->natural_id, reminder_id);

  e.set_step(routing::v1::SLA_STEP_REASSIGNED);
  r = DecodeSlaEscalation(e.SerializeAsString());
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
  EXPECT_FALSE(DecodeSlaEscalation("\xff\xff").ok());
}

TEST(EventDecodersTest, TableListsTheFourTopics) {
  EXPECT_EQ(DefaultEventTable().Topics(),
            (std::vector<std::string>{topics::kLeadsAssigned, topics::kDealsStalls,
                                      topics::kSlaEscalations, topics::kAccountsNotifications}));
  EXPECT_NE(DefaultEventTable().Find(topics::kDealsStalls), nullptr);
  EXPECT_EQ(DefaultEventTable().Find(topics::kLeadsScored), nullptr);
}

TEST(EventIdTest, StableOpaqueAndDistinct) {
  const std::string a = EventId("leads.assigned", 1, 10, "");
  EXPECT_EQ(a, EventId("leads.assigned", 1, 10, ""));
  EXPECT_NE(a, EventId("leads.assigned", 1, 11, ""));
  EXPECT_NE(a, EventId("leads.assigned", 2, 10, ""));
  EXPECT_NE(a, EventId("deals.stalls", 1, 10, ""));
  EXPECT_EQ(a.size(), 36u);
  EXPECT_EQ(a.rfind("evt_", 0), 0u);
}

}  // namespace
}  // namespace leadflow::notifier
