#include "routing/domain/rule_simulation.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "routing/domain/router.h"
#include "routing/domain/simulation_history_generator.h"
#include "routing/testing/routing_test_util.h"

namespace leadflow::routing {
namespace {

namespace rv1 = leadflow::routing::v1;
using config::v1::RoutingRules;

// SampleRules with caps that bite (queues, overflow to nurture, drains when
// a close frees a slot) and a Moscow team of three; key accounts have room,
// so their weights decide.
RoutingRules LiveRules() {
  RoutingRules r = testutil::SampleRules();
  for (auto& team : *r.mutable_teams()) {
    if (team.team_id() == "moscow") {
      testutil::AddRep(&team, "msk-b", 2);
      testutil::AddRep(&team, "msk-c", 1);
    }
    const bool roomy = team.team_id() == "key-accounts";
    for (auto& rep : *team.mutable_reps()) {
      rep.set_max_open_leads(roomy ? 500 : 40);
      rep.set_daily_cap(roomy ? 2000 : 300);
    }
  }
  return r;
}

const SimulationHistory& History() {
  static const SimulationHistory h = [] {
    HistoryGeneratorOptions o;
    o.leads = 50000;
    o.days = 5;
    o.away_reps = {"ka-b", "msk-b", "mm-a"};
    return GenerateHistory(testutil::MustPolicy(LiveRules()), o);
  }();
  return h;
}

SimulationReport Simulate(const RoutingRules& rules, SimulationOptions o = {}) {
  return RuleSimulation(testutil::MustPolicy(rules)).Run(History(), o);
}

int64_t Count(const std::map<std::string, int64_t>& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? 0 : it->second;
}

const RepLoad& Row(const SimulationReport& r, const std::string& rep) {
  for (const auto& row : r.reps) {
    if (row.rep_id == rep) return row;
  }
  static const RepLoad none;
  return none;
}

void GeneratedHistoryExercisesCapacityQueuesAndFeedback() {
  const auto& h = History();
  int64_t drains = 0, queued = 0, nurture = 0, assigned = 0, rescored = 0;
  for (const auto& d : h.decisions) {
    if (d.source == DecisionSource::kQueueDrain) ++drains;
    if (d.decision.outcome() == rv1::QUEUED) ++queued;
    if (d.decision.outcome() == rv1::NURTURE) ++nurture;
    if (d.decision.outcome() == rv1::ASSIGNED) ++assigned;
    if (d.revision == 2) ++rescored;
  }
  EXPECT_GE(h.leads.size(), 50000u);
  EXPECT_GT(drains, 100);
  EXPECT_GT(queued, 100);
  EXPECT_GT(nurture, 1000);
  EXPECT_GT(assigned, 5000);
  EXPECT_GT(rescored, 10);
  EXPECT_GT(h.feedback.size(), 10000u);
  EXPECT_EQ(h.availability.size(), 6u);
}

// The key property: the same rules on the same history decide the same.
void UnchangedRulesGiveAnEmptyDiff() {
  const SimulationReport r = Simulate(LiveRules());
  for (size_t i = 0; i < r.changes.size() && i < 5; ++i) {
    const auto& c = r.changes[i];
    ADD_FAILURE() << c.lead_id << " at " << c.at_ms << ": actual "
                  << rv1::RoutingOutcome_Name(c.actual.outcome()) << " " << c.actual.team() << "/"
                  << c.actual.rep_id() << ", simulated "
                  << rv1::RoutingOutcome_Name(c.simulated.outcome()) << " " << c.simulated.team()
                  << "/" << c.simulated.rep_id();
  }
  EXPECT_TRUE(r.changes.empty()) << r.changes.size() << " changes";
  EXPECT_EQ(r.unmatched, 0);
  EXPECT_GE(r.leads_in_window, 50000);
  EXPECT_EQ(r.actual_outcomes, r.simulated_outcomes);
  EXPECT_EQ(r.queue_drains, r.actual_queue_drains);
  EXPECT_TRUE(r.changes_by_source.empty()) << "no drain or re-assignment listed either";
  EXPECT_EQ(r.sla_missed_assigned, r.actual_sla_missed_assigned);
  for (const auto& row : r.reps) {
    EXPECT_EQ(row.assigned, row.actual_assigned) << row.rep_id;
    if (row.team != "key-accounts") {
      EXPECT_LE(row.peak_open, 40) << row.rep_id;
    }
  }
  EXPECT_FALSE(r.queue_depth.empty());
}

// The unchanged-rules test can fail: one weight changed is a non-empty diff,
// and it moves leads toward the heavier rep.
void ChangedWeightMovesLeadsTowardThatRep() {
  RoutingRules rules = LiveRules();
  for (auto& team : *rules.mutable_teams()) {
    for (auto& rep : *team.mutable_reps()) {
      if (rep.rep_id() == "ka-c") rep.set_weight(6);
    }
  }
  const SimulationReport r = Simulate(rules);
  ASSERT_FALSE(r.changes.empty());
  EXPECT_GT(r.changes_by_kind.at("rep"), 0);
  const RepLoad& c = Row(r, "ka-c");
  EXPECT_GT(c.assigned, 2 * c.actual_assigned);
  EXPECT_NEAR(c.weight_share, 6.0 / 11.0, 1e-9);
  EXPECT_NEAR(c.share, c.weight_share, 0.04);
  EXPECT_NEAR(c.actual_share, 1.0 / 6.0, 0.02);
  int64_t to_c = 0;
  for (const auto& ch : r.changes) {
    if (ch.simulated.rep_id() == "ka-c") ++to_c;
    EXPECT_EQ(ch.actual.team(), "key-accounts");
    EXPECT_FALSE(ch.actual.path().empty());
    EXPECT_FALSE(ch.simulated.path().empty());
  }
  EXPECT_GT(to_c, 0);
}

// Without the Moscow rule, no lead goes to Moscow and every lead history sent
// there (on the leads.scored path) is a team change.
void ChangedTeamRuleMovesTheExpectedLeads() {
  RoutingRules rules = LiveRules();
  auto* team_rules = rules.mutable_team_rules();
  for (int i = 0; i < team_rules->size(); ++i) {
    if (team_rules->Get(i).rule_id() == "team.moscow") {
      team_rules->erase(team_rules->begin() + i);
      break;
    }
  }
  const SimulationReport r = Simulate(rules);
  int64_t from_moscow = 0, to_moscow = 0, drains_from_moscow = 0;
  for (const auto& ch : r.changes) {
    const bool moved = ch.actual.team() == "moscow" && ch.simulated.team() != "moscow";
    if (moved && ch.source == DecisionSource::kScored) ++from_moscow;
    if (moved && ch.source == DecisionSource::kQueueDrain) {
      ++drains_from_moscow;
      // Queued elsewhere or never: no drain on the candidate's side to pair.
      EXPECT_EQ(ch.simulated.outcome(), rv1::ROUTING_OUTCOME_UNSPECIFIED) << ch.lead_id;
    }
    if (ch.simulated.team() == "moscow") ++to_moscow;
  }
  int64_t actual_moscow = 0, actual_moscow_drains = 0;
  for (const auto& d : History().decisions) {
    if (d.decision.team() != "moscow") continue;
    if (d.source == DecisionSource::kScored) ++actual_moscow;
    if (d.source == DecisionSource::kQueueDrain) ++actual_moscow_drains;
  }
  EXPECT_GT(actual_moscow, 1000);
  EXPECT_EQ(from_moscow, actual_moscow);
  // Drains are listed lead by lead too: every drain history made in Moscow.
  EXPECT_GT(actual_moscow_drains, 0);
  EXPECT_EQ(drains_from_moscow, actual_moscow_drains);
  EXPECT_EQ(Count(r.changes_by_source, "queue_drain"), drains_from_moscow + [&] {
    int64_t other = 0;  // knock-on drains in the teams that took Moscow's leads
    for (const auto& ch : r.changes) {
      other += ch.source == DecisionSource::kQueueDrain && ch.actual.team() != "moscow";
    }
    return other;
  }());
  EXPECT_EQ(to_moscow, 0);
  EXPECT_EQ(Row(r, "msk-a").assigned, 0);
}

void WindowAndOneLeadPreview() {
  const auto& h = History();
  SimulationOptions o;
  o.from_ms = h.leads.front().at_ms + 2LL * 24 * 3600 * 1000;
  o.to_ms = o.from_ms + 24LL * 3600 * 1000;
  // A lead decided inside the window that reached a rep.
  std::string lead;
  for (const auto& d : h.decisions) {
    if (d.at_ms > o.from_ms && d.decision.outcome() == rv1::ASSIGNED &&
        d.source == DecisionSource::kScored) {
      lead = d.lead_id;
      break;
    }
  }
  ASSERT_FALSE(lead.empty());
  o.trace_lead = lead;
  const SimulationReport r = Simulate(LiveRules(), o);
  EXPECT_TRUE(r.changes.empty());
  EXPECT_GT(r.leads_in_window, 5000);
  EXPECT_LT(r.leads_in_window, 20000);
  ASSERT_FALSE(r.lead_simulated.empty());
  ASSERT_FALSE(r.lead_actual.empty());
  EXPECT_EQ(r.lead_simulated[0].rep_id(), r.lead_actual[0].rep_id());
  EXPECT_GT(r.lead_simulated[0].path_size(), 3);
}

// The cases above on one generated 50,000-lead history. CTest runs each
// TEST in a process of its own, so they share one TEST to generate the
// history once (about 1 s, several times that under the sanitizers) instead
// of once per case; each case keeps its name in the failure trace.
TEST(RuleSimulationTest, FiftyThousandLeadHistory) {
  {
    SCOPED_TRACE("GeneratedHistoryExercisesCapacityQueuesAndFeedback");
    GeneratedHistoryExercisesCapacityQueuesAndFeedback();
  }
  {
    SCOPED_TRACE("UnchangedRulesGiveAnEmptyDiff");
    UnchangedRulesGiveAnEmptyDiff();
  }
  {
    SCOPED_TRACE("ChangedWeightMovesLeadsTowardThatRep");
    ChangedWeightMovesLeadsTowardThatRep();
  }
  {
    SCOPED_TRACE("ChangedTeamRuleMovesTheExpectedLeads");
    ChangedTeamRuleMovesTheExpectedLeads();
  }
  {
    SCOPED_TRACE("WindowAndOneLeadPreview");
    WindowAndOneLeadPreview();
  }
}

// An SLA re-assignment, timed as history recorded it (the scheduler's tick
// after the due time), moves the lead and the round robin as routing did; the
// leads after it are decided alike. Without the re-assignment the third lead
// would go to ka-a instead of ka-c.
TEST(RuleSimulationTest, SlaReassignmentFollowsHistory) {
  const auto policy = testutil::MustPolicy(testutil::SampleRules());
  const auto t0 = testutil::FridayNoonMoscow();
  auto ms = [](std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  };
  auto lead = [](const std::string& id) {
    auto s = testutil::Mql(leadflow::common::v1::ENTERPRISE, leadflow::common::v1::DEAL_BAND_LARGE);
    s.mutable_lead()->mutable_meta()->set_lead_id(id);
    return s;
  };
  // What routing did: one Router, as the live process holds one.
  Router live(policy);
  RepStateView reps;
  SimulationHistory h;
  auto decide = [&](const std::string& id, std::chrono::system_clock::time_point at) {
    h.leads.push_back({ms(at), 0, static_cast<int64_t>(h.leads.size()), lead(id)});
    RoutingResult r = live.Decide(h.leads.back().scored, reps, at);
    if (!r.decision.rep_id().empty()) reps.CountClaim(r.decision.rep_id());
    h.decisions.push_back({ms(at), id, 1, DecisionSource::kScored, r.decision, {}, r.sla_due_ms});
    return r;
  };
  const RoutingResult first = decide("L-1", t0);
  ASSERT_EQ(first.decision.rep_id(), "ka-a");
  const auto fired = std::chrono::system_clock::time_point(
      std::chrono::milliseconds(first.sla_due_ms + 1500));  // the scheduler's tick
  rv1::Decision moved;
  moved.set_outcome(rv1::REASSIGNED);
  moved.set_team("key-accounts");
  const auto* team = policy->FindTeam("key-accounts");
  moved.set_rep_id(live.PickRep(*team, reps, fired, moved, {"ka-a"}));
  ASSERT_EQ(moved.rep_id(), "ka-b");
  h.decisions.push_back({ms(fired), "L-1", 1, DecisionSource::kSlaReassign, moved, {"ka-a"}, 0});
  decide("L-2", fired + std::chrono::minutes(1));
  EXPECT_EQ(decide("L-3", fired + std::chrono::minutes(2)).decision.rep_id(), "ka-c");

  const SimulationReport r = RuleSimulation(policy).Run(h, {});
  EXPECT_TRUE(r.changes.empty()) << r.changes.size() << " changes, first "
                                 << (r.changes.empty() ? "" : r.changes[0].lead_id);
  EXPECT_EQ(r.sla_reassigned, 1);
  EXPECT_EQ(r.actual_sla_reassigned, 1);
  EXPECT_EQ(r.sla_missed_assigned, 1);
  EXPECT_EQ(r.actual_sla_missed_assigned, 1) << "history missed it alike";
  EXPECT_EQ(Row(r, "ka-a").open_at_end, 0);
  EXPECT_EQ(Row(r, "ka-b").assigned, Row(r, "ka-b").actual_assigned);

  // An accept before the due time stops the timer: no re-assignment, and
  // then L-3 is decided differently from history.
  SimulationHistory accepted = h;
  HistoryFeedback fb;
  fb.at_ms = ms(t0) + 60000;
  fb.feedback.set_lead_id("L-1");
  fb.feedback.set_rep_id("ka-a");
  fb.feedback.set_kind(rv1::ACCEPT);
  accepted.feedback.push_back(fb);
  const SimulationReport a = RuleSimulation(policy).Run(accepted, {});
  EXPECT_EQ(a.sla_reassigned, 0);
  EXPECT_EQ(a.sla_missed_assigned, 0);
  EXPECT_EQ(a.actual_sla_missed_assigned, 0) << "accepted in time";
  // Listed: history's re-assignment of L-1, which the candidate did not make,
  // then L-3.
  ASSERT_EQ(a.changes.size(), 2u);
  EXPECT_EQ(a.changes[0].lead_id, "L-1");
  EXPECT_EQ(a.changes[0].source, DecisionSource::kSlaReassign);
  EXPECT_EQ(a.changes[0].actual.rep_id(), "ka-b");
  EXPECT_EQ(a.changes[0].simulated.outcome(), rv1::ROUTING_OUTCOME_UNSPECIFIED);
  EXPECT_EQ(Count(a.changes_by_source, "sla_reassign"), 1);
  EXPECT_EQ(a.changes[1].lead_id, "L-3");
  EXPECT_EQ(a.changes[1].source, DecisionSource::kScored);
  EXPECT_EQ(a.changes[1].simulated.rep_id(), "ka-a");

  // A candidate with an SLA ladder on key-accounts re-assigns only after a
  // 30-minute grace: within this history L-1 stays with ka-a, so L-3 changes.
  auto laddered = testutil::SampleRules();
  for (auto& t : *laddered.mutable_teams()) {
    if (t.team_id() != "key-accounts") continue;
    t.mutable_sla_ladder()->set_remind_at_pct(50);
    t.mutable_sla_ladder()->set_escalate_to("ka-lead");
    t.mutable_sla_ladder()->set_reassign_grace_business_minutes(30);
  }
  const SimulationReport g = RuleSimulation(testutil::MustPolicy(laddered)).Run(h, {});
  EXPECT_EQ(g.sla_reassigned, 0);
  ASSERT_EQ(g.changes.size(), 2u);
  EXPECT_EQ(g.changes[0].source, DecisionSource::kSlaReassign);
  EXPECT_EQ(g.changes[1].lead_id, "L-3");
}

// Out-of-office windows (reps.out-of-office) are replayed as routing applied
// them: history skipped ka-a while it was away, and so does the replay, with
// the SLA paused alike; without the record the replay would give L-1 to ka-a.
TEST(RuleSimulationTest, OutOfOfficeWindowsAreReplayed) {
  const auto policy = testutil::MustPolicy(testutil::SampleRules());
  const auto t0 = testutil::FridayNoonMoscow();
  auto ms = [](std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  };
  const int64_t hour = 3600 * 1000;
  SimulationHistory h;
  HistoryOutOfOffice away;
  away.at_ms = ms(t0) - hour;
  away.rep_id = "ka-a";
  away.windows = {{ms(t0) - hour / 2, ms(t0) + hour / 2}};
  h.out_of_office.push_back(away);
  Router live(policy);
  RepStateView reps;
  RepState ka_a;
  ka_a.out_of_office = away.windows;
  reps.Set("ka-a", ka_a);
  auto s = testutil::Mql(leadflow::common::v1::ENTERPRISE, leadflow::common::v1::DEAL_BAND_LARGE);
  s.mutable_lead()->mutable_meta()->set_lead_id("L-1");
  h.leads.push_back({ms(t0), 0, 0, s});
  const RoutingResult r = live.Decide(s, reps, t0);
  ASSERT_EQ(r.decision.rep_id(), "ka-b");
  h.decisions.push_back({ms(t0), "L-1", 1, DecisionSource::kScored, r.decision, {}, r.sla_due_ms});

  const SimulationReport replayed = RuleSimulation(policy).Run(h, {});
  EXPECT_TRUE(replayed.changes.empty())
      << (replayed.changes.empty() ? "" : replayed.changes[0].simulated.rep_id());
  SimulationHistory without = h;
  without.out_of_office.clear();
  const SimulationReport blind = RuleSimulation(policy).Run(without, {});
  ASSERT_EQ(blind.changes.size(), 1u);
  EXPECT_EQ(blind.changes[0].simulated.rep_id(), "ka-a");
}

}  // namespace
}  // namespace leadflow::routing
