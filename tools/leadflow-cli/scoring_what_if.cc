#include "scoring_what_if.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <tuple>
#include <utility>

#include "leadflow/engagement/v1/engagement.pb.h"
#include "scoring/domain/engagement.h"
#include "scoring/domain/scorer.h"

namespace leadflow::cli {
namespace {

using leadflow::scoring::v1::LeadScored;

constexpr char kEngagementPrefix[] = "engagement.";
constexpr double kScoreTolerance = 1e-9;

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

int InputInt(const leadflow::scoring::v1::RuleContribution& c, const char* key) {
  auto it = c.inputs().find(key);
  return it == c.inputs().end() ? 0 : std::atoi(it->second.c_str());
}

// The engagement breakdown a record was scored with, from its
// "engagement.<TYPE>" contributions (in their order, which is the model's).
// `has_breakdown` is false for a record with the single "engagement" entry.
scoring::EngagementScore RecordedEngagement(const LeadScored& s, bool* has_breakdown) {
  scoring::EngagementScore e;
  *has_breakdown = false;
  const size_t prefix = sizeof(kEngagementPrefix) - 1;
  for (const auto& c : s.contributions()) {
    if (c.rule_id().compare(0, prefix, kEngagementPrefix) != 0) continue;
    leadflow::engagement::v1::EngagementType type;
    if (!leadflow::engagement::v1::EngagementType_Parse(c.rule_id().substr(prefix), &type)) {
      continue;
    }
    *has_breakdown = true;
    scoring::EngagementTypeScore t;
    t.type = type;
    t.events = InputInt(c, "events");
    t.counted = InputInt(c, "counted");
    t.points = c.points();
    e.points += t.points;
    e.by_type.push_back(t);
  }
  return e;
}

LeadScored Rescore(const LeadScored& recorded, const scoring::ScoringPolicy& policy) {
  bool has_breakdown = false;
  const scoring::EngagementScore engagement = RecordedEngagement(recorded, &has_breakdown);
  scoring::ScoreInputs inputs;
  inputs.scored_at_ms =
      google::protobuf::util::TimeUtil::TimestampToMilliseconds(recorded.scored_at());
  inputs.revision = recorded.revision();
  if (has_breakdown || recorded.engagement_score() == 0) {
    inputs.engagement = &engagement;  // no events: the scorer's own 0 entry
  } else {
    inputs.engagement_points = recorded.engagement_score();
  }
  return scoring::ScoreLead(recorded.lead(), policy, inputs);
}

bool IsMql(const LeadScored& s) { return s.lifecycle_stage() == leadflow::common::v1::MQL; }

MqlChange ChangeOf(const LeadScored& before, const LeadScored& after) {
  MqlChange c;
  c.lead_id = before.lead().meta().lead_id();
  c.revision = before.revision();
  c.scored_at_ms = google::protobuf::util::TimeUtil::TimestampToMilliseconds(before.scored_at());
  c.old_total = before.total_score();
  c.new_total = after.total_score();
  c.old_grade = before.grade();
  c.new_grade = after.grade();
  c.old_stage = leadflow::common::v1::LifecycleStage_Name(before.lifecycle_stage());
  c.new_stage = leadflow::common::v1::LifecycleStage_Name(after.lifecycle_stage());
  return c;
}

}  // namespace

Status CheckSameEngagement(const leadflow::config::v1::ScoringModel& live,
                           const leadflow::config::v1::ScoringModel& candidate) {
  const std::string why =
      " (leads.scored holds decayed engagement points, not event times: only a candidate with "
      "the live model's engagement settings can be judged from it; docs/simulation.md)";
  if (live.engagement_half_life_days() != candidate.engagement_half_life_days()) {
    return Status::InvalidArgument("engagement_half_life_days: candidate " +
                                   Num(candidate.engagement_half_life_days()) + ", live " +
                                   Num(live.engagement_half_life_days()) + why);
  }
  std::map<std::string, const leadflow::config::v1::EngagementRule*> live_rules;
  for (const auto& r : live.engagement()) live_rules[r.event_type()] = &r;
  for (const auto& r : candidate.engagement()) {
    const std::string field = "engagement[\"" + r.event_type() + "\"]";
    auto it = live_rules.find(r.event_type());
    if (it == live_rules.end()) {
      return Status::InvalidArgument(field + ": not in the live model" + why);
    }
    if (it->second->points() != r.points()) {
      return Status::InvalidArgument(field + ".points: candidate " + Num(r.points()) + ", live " +
                                     Num(it->second->points()) + why);
    }
    if (it->second->daily_cap() != r.daily_cap()) {
      return Status::InvalidArgument(field + ".daily_cap: candidate " +
                                     std::to_string(r.daily_cap()) + ", live " +
                                     std::to_string(it->second->daily_cap()) + why);
    }
    live_rules.erase(it);
  }
  if (!live_rules.empty()) {
    return Status::InvalidArgument("engagement[\"" + live_rules.begin()->first +
                                   "\"]: in the live model, not in the candidate" + why);
  }
  return Status::Ok();
}

StatusOr<ScoringWhatIfReport> RescoreHistory(const scoring::ScoringPolicy& live,
                                             const scoring::ScoringPolicy& candidate,
                                             std::vector<routing::HistoryLead>& leads,
                                             int64_t from_ms, int64_t to_ms) {
  if (Status s = CheckSameEngagement(live.model(), candidate.model()); !s.ok()) return s;
  ScoringWhatIfReport r;
  r.live_version = live.version();
  r.candidate_version = candidate.version();
  for (auto& l : leads) {
    const LeadScored& recorded = l.scored;
    ++r.records;
    if (recorded.model_version() != live.version()) ++r.other_model_version;
    const LeadScored again = Rescore(recorded, live);
    if (std::fabs(again.total_score() - recorded.total_score()) > kScoreTolerance ||
        again.grade() != recorded.grade() ||
        again.lifecycle_stage() != recorded.lifecycle_stage()) {
      if (r.live_mismatches++ < static_cast<int64_t>(kMismatchesListed)) {
        r.live_mismatch_leads.push_back(recorded.lead().meta().lead_id());
      }
    }
    LeadScored rescored = Rescore(recorded, candidate);
    const int64_t at =
        google::protobuf::util::TimeUtil::TimestampToMilliseconds(recorded.scored_at());
    if (at >= from_ms && at < to_ms) {
      ++r.records_in_window;
      r.mql_before += IsMql(recorded);
      r.mql_after += IsMql(rescored);
      if (IsMql(recorded) != IsMql(rescored)) {
        (IsMql(rescored) ? r.added : r.dropped).push_back(ChangeOf(recorded, rescored));
      }
    }
    l.scored = std::move(rescored);
  }
  auto by_time = [](const MqlChange& a, const MqlChange& b) {
    return std::tie(a.scored_at_ms, a.lead_id, a.revision) <
           std::tie(b.scored_at_ms, b.lead_id, b.revision);
  };
  std::stable_sort(r.added.begin(), r.added.end(), by_time);
  std::stable_sort(r.dropped.begin(), r.dropped.end(), by_time);
  return r;
}

}  // namespace leadflow::cli
