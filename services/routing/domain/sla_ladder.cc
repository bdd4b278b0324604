#include "routing/domain/sla_ladder.h"

#include <utility>

#include "routing/domain/business_time.h"
#include "routing/domain/lookup_table.h"

namespace leadflow::routing {
namespace {

using std::chrono::milliseconds;
using std::chrono::system_clock;

system_clock::time_point At(int64_t ms) { return system_clock::time_point(milliseconds(ms)); }

int64_t Millis(system_clock::time_point t) {
  return std::chrono::duration_cast<milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

Status ValidateSlaLadders(const leadflow::config::v1::RoutingRules& rules) {
  for (int i = 0; i < rules.teams_size(); ++i) {
    const auto& team = rules.teams(i);
    if (!team.has_sla_ladder()) continue;
    const auto& l = team.sla_ladder();
    const std::string field = "routing rules: teams[" + std::to_string(i) + "].sla_ladder.";
    if (l.remind_at_pct() < 0 || l.remind_at_pct() > 99) {
      return Status::InvalidArgument(field +
                                     "remind_at_pct: must be 0..99 (0 = no reminder), got " +
                                     std::to_string(l.remind_at_pct()));
    }
    if (l.escalate_to().empty()) {
      return Status::InvalidArgument(field + "escalate_to: the team lead's id or role is required");
    }
    if (l.reassign_grace_business_minutes() < 0) {
      return Status::InvalidArgument(field + "reassign_grace_business_minutes: must be >= 0, got " +
                                     std::to_string(l.reassign_grace_business_minutes()));
    }
    if (team.sla_business_minutes() <= 0) {
      return Status::InvalidArgument(
          field.substr(0, field.size() - 11) +
          "sla_business_minutes: a team with an sla_ladder needs an SLA");
    }
  }
  return Status::Ok();
}

const leadflow::config::v1::SlaLadder* SlaLadderOf(const RoutingPolicy& policy,
                                                   const std::string& team_id) {
  const auto* team = policy.FindTeam(team_id);
  if (team == nullptr || !team->has_sla_ladder()) return nullptr;
  return &team->sla_ladder();
}

int64_t SlaReminderMillis(const RoutingPolicy& policy, const std::string& team_id,
                          const std::string& rep_id, int64_t assigned_ms) {
  const auto* ladder = SlaLadderOf(policy, team_id);
  if (ladder == nullptr || ladder->remind_at_pct() <= 0) return 0;
  const int64_t sla_s = int64_t{policy.FindTeam(team_id)->sla_business_minutes()} * 60;
  const int64_t share_s = sla_s * ladder->remind_at_pct() / 100;
  return Millis(
      AddSlaSeconds(policy, SlaCalendarOf(policy, team_id, rep_id), At(assigned_ms), share_s));
}

int64_t SlaGraceEndMillis(const RoutingPolicy& policy, const std::string& team_id,
                          const std::string& rep_id, int64_t sla_due_ms) {
  const auto* ladder = SlaLadderOf(policy, team_id);
  if (ladder == nullptr || ladder->reassign_grace_business_minutes() <= 0) return sla_due_ms;
  return Millis(AddSlaSeconds(policy, SlaCalendarOf(policy, team_id, rep_id), At(sla_due_ms),
                              int64_t{ladder->reassign_grace_business_minutes()} * 60));
}

std::string SlaStepLabel(leadflow::routing::v1::SlaStep step) {
  namespace rv1 = leadflow::routing::v1;
  static constexpr std::pair<rv1::SlaStep, const char*> kLabels[] = {
      {rv1::SLA_STEP_REMINDER, "reminder"},
      {rv1::SLA_STEP_ESCALATION, "escalation"},
      {rv1::SLA_STEP_REASSIGNED, "reassigned"}};
  return Lookup(step, kLabels, "unspecified");
}

}  // namespace leadflow::routing
