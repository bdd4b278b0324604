#include "routing/domain/sla_ladder.h"

#include <gtest/gtest.h>

#include "routing/domain/business_time.h"
#include "routing/testing/routing_test_util.h"

namespace leadflow::routing {
namespace {

namespace rv1 = leadflow::routing::v1;

constexpr int64_t kFridayNoonMsk = 1763715600000;  // Friday 2025-11-21 12:00 Moscow
constexpr int64_t kMinute = 60000;

leadflow::config::v1::RoutingRules LadderRules(int pct, int grace) {
  auto r = testutil::SampleRules();
  for (auto& team : *r.mutable_teams()) {
    if (team.team_id() != "key-accounts") continue;  // 60 business minutes
    team.mutable_sla_ladder()->set_remind_at_pct(pct);
    team.mutable_sla_ladder()->set_escalate_to("ka-lead");
    team.mutable_sla_ladder()->set_reassign_grace_business_minutes(grace);
  }
  return r;
}

std::string Error(const leadflow::config::v1::RoutingRules& r) {
  auto p = RoutingPolicy::Create(r, testutil::FixedZones());
  return p.ok() ? "" : p.status().message();
}

TEST(SlaLadderTest, ValidationNamesTheField) {
  EXPECT_EQ(Error(LadderRules(50, 30)), "");
  EXPECT_NE(Error(LadderRules(100, 30)).find("teams[0].sla_ladder.remind_at_pct"),
            std::string::npos)
      << Error(LadderRules(100, 30));
  EXPECT_NE(Error(LadderRules(-1, 30)).find("sla_ladder.remind_at_pct"), std::string::npos);
  EXPECT_NE(Error(LadderRules(50, -5)).find("teams[0].sla_ladder.reassign_grace_business_minutes"),
            std::string::npos);
  auto no_lead = LadderRules(50, 30);
  no_lead.mutable_teams(0)->mutable_sla_ladder()->clear_escalate_to();
  EXPECT_NE(Error(no_lead).find("teams[0].sla_ladder.escalate_to"), std::string::npos);
  auto no_sla = LadderRules(50, 30);
  no_sla.mutable_teams(0)->set_sla_business_minutes(0);
  EXPECT_NE(Error(no_sla).find("teams[0].sla_business_minutes"), std::string::npos);
}

TEST(SlaLadderTest, ReminderIsItsShareOfTheSlaInBusinessMinutes) {
  const auto policy = testutil::MustPolicy(LadderRules(50, 30));
  EXPECT_EQ(SlaReminderMillis(*policy, "key-accounts", "ka-a", kFridayNoonMsk),
            kFridayNoonMsk + 30 * kMinute);
  EXPECT_EQ(SlaGraceEndMillis(*policy, "key-accounts", "ka-a", kFridayNoonMsk + 60 * kMinute),
            kFridayNoonMsk + 90 * kMinute);
  // Assigned Friday 17:50 Moscow (hours end at 18:00): the reminder's 30
  // business minutes run over the weekend, to Monday 09:20.
  const int64_t late = kFridayNoonMsk + (5 * 60 + 50) * kMinute;
  const int64_t monday_9_msk = kFridayNoonMsk + (3 * 24 - 3) * 60 * kMinute;
  EXPECT_EQ(SlaReminderMillis(*policy, "key-accounts", "ka-a", late), monday_9_msk + 20 * kMinute);
  // No ladder, no reminder; the grace end is the deadline itself.
  EXPECT_EQ(SlaReminderMillis(*policy, "mid-market", "mm-a", kFridayNoonMsk), 0);
  EXPECT_EQ(SlaGraceEndMillis(*policy, "mid-market", "mm-a", 42), 42);
  EXPECT_EQ(SlaReminderMillis(*testutil::MustPolicy(LadderRules(0, 30)), "key-accounts", "ka-a",
                              kFridayNoonMsk),
            0);
}

TEST(SlaLadderTest, AScaledClockDividesTheSlaTheShareAndTheGrace) {
  auto p = RoutingPolicy::Create(LadderRules(50, 30), testutil::FixedZones(), 1, 600);
  ASSERT_TRUE(p.ok()) << p.status().message();
  // 60 business minutes / 600 = 6 s; the share 3 s; the grace 3 s.
  EXPECT_EQ(SlaDueMillis(
                **p, "key-accounts", "ka-a",
                std::chrono::system_clock::time_point(std::chrono::milliseconds(kFridayNoonMsk))),
            kFridayNoonMsk + 6000);
  EXPECT_EQ(SlaReminderMillis(**p, "key-accounts", "ka-a", kFridayNoonMsk), kFridayNoonMsk + 3000);
  EXPECT_EQ(SlaGraceEndMillis(**p, "key-accounts", "ka-a", kFridayNoonMsk + 6000),
            kFridayNoonMsk + 9000);
}

TEST(SlaLadderTest, StepLabelsAreBounded) {
  EXPECT_EQ(SlaStepLabel(rv1::SLA_STEP_REMINDER), "reminder");
  EXPECT_EQ(SlaStepLabel(rv1::SLA_STEP_ESCALATION), "escalation");
  EXPECT_EQ(SlaStepLabel(rv1::SLA_STEP_REASSIGNED), "reassigned");
}

}  // namespace
}  // namespace leadflow::routing
