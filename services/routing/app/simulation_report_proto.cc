#include "routing/app/simulation_report_proto.h"

#include <google/protobuf/util/time_util.h>

#include <limits>
#include <utility>

#include "routing/domain/lookup_table.h"

namespace leadflow::routing {
namespace {

namespace rv1 = leadflow::routing::v1;
using google::protobuf::util::TimeUtil;

void SetTime(int64_t ms, google::protobuf::Timestamp* out) {
  *out = TimeUtil::MillisecondsToTimestamp(ms);
}

rv1::SimulatedDecisionSource SourceProto(DecisionSource s) {
  static constexpr std::pair<DecisionSource, rv1::SimulatedDecisionSource> kSources[] = {
      {DecisionSource::kQueueDrain, rv1::SIMULATED_DECISION_QUEUE_DRAIN},
      {DecisionSource::kSlaReassign, rv1::SIMULATED_DECISION_SLA_REASSIGN}};
  return Lookup(s, kSources, rv1::SIMULATED_DECISION_SCORED);
}

}  // namespace

void SimulationReportToProto(const SimulationReport& r, size_t max_changes,
                             rv1::SimulateRulesResponse* out) {
  out->set_rules_version(r.rules_version);
  if (r.from_ms != std::numeric_limits<int64_t>::min()) SetTime(r.from_ms, out->mutable_from());
  if (r.to_ms != std::numeric_limits<int64_t>::max()) SetTime(r.to_ms, out->mutable_to());
  out->set_leads_in_window(r.leads_in_window);
  out->set_leads_replayed(r.leads_replayed);
  out->set_unmatched(r.unmatched);
  for (const auto& [k, v] : r.actual_outcomes) (*out->mutable_actual_outcomes())[k] = v;
  for (const auto& [k, v] : r.simulated_outcomes) (*out->mutable_simulated_outcomes())[k] = v;
  for (size_t i = 0; i < r.changes.size() && i < max_changes; ++i) {
    const DecisionChange& c = r.changes[i];
    rv1::SimulatedChange* p = out->add_changes();
    p->set_lead_id(c.lead_id);
    p->set_revision(c.revision);
    SetTime(c.at_ms, p->mutable_at());
    p->set_source(SourceProto(c.source));
    *p->mutable_actual() = c.actual;
    *p->mutable_simulated() = c.simulated;
  }
  out->set_changes_total(static_cast<int64_t>(r.changes.size()));
  out->set_changes_truncated(r.changes.size() > max_changes);
  for (const auto& [k, v] : r.changes_by_kind) (*out->mutable_changes_by_kind())[k] = v;
  for (const auto& [k, v] : r.changes_by_source) (*out->mutable_changes_by_source())[k] = v;
  for (const RepLoad& l : r.reps) {
    rv1::SimulatedRepLoad* p = out->add_reps();
    p->set_rep_id(l.rep_id);
    p->set_team(l.team);
    p->set_weight(l.weight);
    p->set_weight_share(l.weight_share);
    p->set_assigned(l.assigned);
    p->set_actual_assigned(l.actual_assigned);
    p->set_peak_open(l.peak_open);
    p->set_open_at_end(l.open_at_end);
    p->set_share(l.share);
    p->set_actual_share(l.actual_share);
    p->set_off_weight(l.off_weight);
  }
  for (const QueueSample& q : r.queue_depth) {
    rv1::SimulatedQueueDepth* p = out->add_queue_depth();
    SetTime(q.bucket_start_ms, p->mutable_bucket_start());
    p->set_team(q.team);
    p->set_max_depth(q.max_depth);
  }
  out->set_queue_drains(r.queue_drains);
  out->set_actual_queue_drains(r.actual_queue_drains);
  out->set_sla_reassigned(r.sla_reassigned);
  out->set_actual_sla_reassigned(r.actual_sla_reassigned);
  out->set_sla_missed_assigned(r.sla_missed_assigned);
  out->set_sla_missed_queued(r.sla_missed_queued);
  out->set_actual_sla_missed_assigned(r.actual_sla_missed_assigned);
  out->set_fairness_tolerance_pct(r.fairness_tolerance_pct);
  for (const auto& d : r.lead_simulated) *out->add_lead_simulated() = d;
  for (const auto& d : r.lead_actual) *out->add_lead_actual() = d;
}

}  // namespace leadflow::routing
