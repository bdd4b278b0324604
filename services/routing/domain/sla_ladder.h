// The SLA escalation ladder (docs/domain-rules.md §5): for a team with
// Team.sla_ladder, an assignment not accepted in time is reminded at
// remind_at_pct of the SLA, escalated to the team lead at the deadline, and
// re-assigned reassign_grace_business_minutes after it. Without a ladder the
// lead is re-assigned at the deadline, as before. Pure and thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "common/util/status.h"
#include "leadflow/config/v1/routing_rules.pb.h"
#include "leadflow/routing/v1/sla_escalation.pb.h"
#include "routing/domain/routing_policy.h"

namespace leadflow::routing {

// kInvalidArgument naming the field ("teams[2].sla_ladder.remind_at_pct")
// unless every team's ladder has remind_at_pct in 0..99, a non-empty
// escalate_to and reassign_grace_business_minutes >= 0.
Status ValidateSlaLadders(const leadflow::config::v1::RoutingRules& rules);

// The team's ladder; nullptr when the team is unknown or has none.
const leadflow::config::v1::SlaLadder* SlaLadderOf(const RoutingPolicy& policy,
                                                   const std::string& team_id);

// When the reminder of an assignment to `rep_id` made at `assigned_ms` (unix
// ms) is due: remind_at_pct of the team's SLA business minutes later, in the
// calendar the SLA counts in (business_time.h; scaled like it). 0 when the
// team has no ladder or no reminder.
int64_t SlaReminderMillis(const RoutingPolicy& policy, const std::string& team_id,
                          const std::string& rep_id, int64_t assigned_ms);

// When the grace after the SLA deadline `sla_due_ms` ends: the ladder's
// reassign_grace_business_minutes later (the deadline itself for a team
// without a ladder or with no grace).
int64_t SlaGraceEndMillis(const RoutingPolicy& policy, const std::string& team_id,
                          const std::string& rep_id, int64_t sla_due_ms);

// The metric label of a step: "reminder", "escalation", "reassigned".
std::string SlaStepLabel(leadflow::routing::v1::SlaStep step);

}  // namespace leadflow::routing
