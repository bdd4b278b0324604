#include "simulate_report_json.h"

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include <limits>
#include <nlohmann/json.hpp>

namespace leadflow::cli {
namespace {

using nlohmann::json;

json DecisionJson(const leadflow::routing::v1::Decision& d) {
  if (d.outcome() == leadflow::routing::v1::ROUTING_OUTCOME_UNSPECIFIED) return nullptr;
  std::string text;
  google::protobuf::util::JsonPrintOptions o;
  o.preserve_proto_field_names = true;
  if (!google::protobuf::util::MessageToJsonString(d, &text, o).ok()) return nullptr;
  return json::parse(text, nullptr, false);
}

json MqlChangesJson(const std::vector<MqlChange>& changes) {
  json out = json::array();
  for (const auto& c : changes) {
    out.push_back({{"lead_id", c.lead_id},
                   {"revision", c.revision},
                   {"scored_at", Rfc3339(c.scored_at_ms)},
                   {"old", {{"total_score", c.old_total}, {"grade", c.old_grade},
                            {"lifecycle_stage", c.old_stage}}},
                   {"new", {{"total_score", c.new_total}, {"grade", c.new_grade},
                            {"lifecycle_stage", c.new_stage}}}});
  }
  return out;
}

}  // namespace

std::string Rfc3339(int64_t unix_ms) {
  if (unix_ms == std::numeric_limits<int64_t>::min() ||
      unix_ms == std::numeric_limits<int64_t>::max()) {
    return "";
  }
  return google::protobuf::util::TimeUtil::ToString(
      google::protobuf::util::TimeUtil::MillisecondsToTimestamp(unix_ms));
}

std::string SimulationReportJson(const routing::SimulationReport& r,
                                 const ScoringWhatIfReport* scoring) {
  json j;
  if (scoring != nullptr) {
    j["scoring_model"] = {{"live_version", scoring->live_version},
                          {"candidate_version", scoring->candidate_version},
                          {"records", scoring->records},
                          {"records_in_window", scoring->records_in_window},
                          {"mql", {{"actual", scoring->mql_before},
                                   {"candidate", scoring->mql_after}}},
                          {"added", MqlChangesJson(scoring->added)},
                          {"dropped", MqlChangesJson(scoring->dropped)},
                          {"live_mismatches", scoring->live_mismatches},
                          {"live_mismatch_leads", scoring->live_mismatch_leads},
                          {"other_model_version", scoring->other_model_version}};
  }
  j["rules_version"] = r.rules_version;
  j["from"] = Rfc3339(r.from_ms);
  j["to"] = Rfc3339(r.to_ms);
  j["leads_in_window"] = r.leads_in_window;
  j["leads_replayed"] = r.leads_replayed;
  j["unmatched"] = r.unmatched;
  j["outcomes"] = {{"actual", r.actual_outcomes}, {"simulated", r.simulated_outcomes}};
  j["changes_by_kind"] = r.changes_by_kind;
  j["changes_by_source"] = r.changes_by_source;
  json changes = json::array();
  for (const auto& c : r.changes) {
    changes.push_back({{"lead_id", c.lead_id},
                       {"revision", c.revision},
                       {"at", Rfc3339(c.at_ms)},
                       {"source", routing::SourceName(c.source)},
                       {"actual", DecisionJson(c.actual)},
                       {"simulated", DecisionJson(c.simulated)}});
  }
  j["changes"] = std::move(changes);
  json reps = json::array();
  for (const auto& l : r.reps) {
    reps.push_back({{"rep_id", l.rep_id},
                    {"team", l.team},
                    {"weight", l.weight},
                    {"weight_share", l.weight_share},
                    {"assigned", l.assigned},
                    {"actual_assigned", l.actual_assigned},
                    {"share", l.share},
                    {"actual_share", l.actual_share},
                    {"peak_open", l.peak_open},
                    {"open_at_end", l.open_at_end},
                    {"off_weight", l.off_weight}});
  }
  j["reps"] = std::move(reps);
  j["fairness_tolerance_pct"] = r.fairness_tolerance_pct;
  json depth = json::array();
  for (const auto& q : r.queue_depth) {
    depth.push_back({{"bucket_start", Rfc3339(q.bucket_start_ms)},
                     {"team", q.team},
                     {"max_depth", q.max_depth}});
  }
  j["queue_depth"] = std::move(depth);
  j["queue_drains"] = {{"actual", r.actual_queue_drains}, {"simulated", r.queue_drains}};
  j["sla"] = {
      {"reassigned", {{"actual", r.actual_sla_reassigned}, {"simulated", r.sla_reassigned}}},
      {"simulated_missed_assigned", r.sla_missed_assigned},
      {"actual_missed_assigned", r.actual_sla_missed_assigned},
      {"simulated_missed_queued", r.sla_missed_queued}};
  if (!r.lead_simulated.empty() || !r.lead_actual.empty()) {
    json sim = json::array(), act = json::array();
    for (const auto& d : r.lead_simulated) sim.push_back(DecisionJson(d));
    for (const auto& d : r.lead_actual) act.push_back(DecisionJson(d));
    j["lead"] = {{"simulated", std::move(sim)}, {"actual", std::move(act)}};
  }
  return j.dump(2) + "\n";
}

}  // namespace leadflow::cli
