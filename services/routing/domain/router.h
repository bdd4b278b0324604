// The routing decision (docs/domain-rules.md §5), pure: a LeadScored, the validated
// policy and a snapshot of rep state in; a Decision with its full path out.
//
// Order:
//   1. relationship CUSTOMER -> CUSTOMER_INBOUND to the account owner; owner
//      unknown/unavailable -> the owner's team, else customer_fallback_team.
//      A customer never yields NURTURE or a prospect-team assignment.
//   2. named account (scoring's ABM list) whose named owner (the registry's
//      named_owner_rep_id, carried by intake in lead.account_owner) is a
//      configured rep and available -> NAMED_OWNER.
//   3. disqualified -> DISQUALIFIED (acknowledged, recorded, not sent to sales).
//   4. large deal (expected deal >= large_deal.min_expected_deal_rub) ->
//      the large-deal team (or a team rule it yields to) whatever the score.
//   5. not qualified (lifecycle below MQL) -> NURTURE.
//   6. MQL prospect -> team by team_rules (first match; default_team).
//   4 and 6 then pick a rep by smooth weighted round robin among eligible
//   reps; none eligible -> QUEUED (overflow QUEUE) or NURTURE (overflow
//   TO_NURTURE; never for a large deal, whose teams must queue).
// config/README.md argues this order (docs/domain-rules.md §5).
//
// A named owner and an account owner take precedence over capacity: their
// leads are theirs whatever the load (the path notes an owner over capacity).
// Team assignments only ever pick a rep that is available, within working
// hours where the team enforces them, and under both caps; the app's Redis
// claim re-checks the caps atomically.
//
// Threading: Router keeps the round-robin state, so Decide() is not
// thread-safe; the caller serialises calls. The policy is shared and immutable.
#pragma once

#include <chrono>
#include <memory>
#include <set>
#include <string>

#include "leadflow/routing/v1/routing.pb.h"
#include "leadflow/scoring/v1/scoring.pb.h"
#include "routing/domain/rep_state.h"
#include "routing/domain/routing_policy.h"
#include "routing/domain/weighted_round_robin.h"

namespace leadflow::routing {

struct RoutingResult {
  leadflow::routing::v1::Decision decision;  // outcome, team, rep_id, path, decided_at, version
  // CUSTOMER_INBOUND: the account owner named on the lead (may be empty or
  // differ from decision.rep_id when the owner is away).
  std::string account_owner;
  // DISQUALIFIED: the first disqualification reason.
  leadflow::common::v1::ReasonCode reason = leadflow::common::v1::REASON_UNSPECIFIED;
  // ASSIGNED / NAMED_OWNER / QUEUED: when the team's SLA runs out, in
  // business minutes of the rep's (queued: the team's) calendar; 0 = none.
  int64_t sla_due_ms = 0;
};

// True for the large-client segments that docs/domain-rules.md groups as ENTERPRISE
// (commercial enterprise, GOVERNMENT, INFRASTRUCTURE).
bool IsLargeClientSegment(leadflow::common::v1::Segment segment);

// True for MQL and later prospect stages (MQL, SQL, OPPORTUNITY).
bool IsQualified(leadflow::common::v1::LifecycleStage stage);

class Router {
 public:
  explicit Router(std::shared_ptr<const RoutingPolicy> policy) : policy_(std::move(policy)) {}

  RoutingResult Decide(const leadflow::scoring::v1::LeadScored& scored, const RepStateView& reps,
                       std::chrono::system_clock::time_point now);

  const RoutingPolicy& policy() const { return *policy_; }

  // Picks an eligible rep of `team` by weighted round robin, recording every
  // skipped rep and why in decision.path (cap, hours, holiday, out of
  // office, paused, previous owner); "" if none. Reps in `exclude` are never picked (SLA
  // re-assignment).
  std::string PickRep(const leadflow::config::v1::Team& team, const RepStateView& reps,
                      std::chrono::system_clock::time_point now,
                      leadflow::routing::v1::Decision& decision,
                      const std::set<std::string>& exclude = {});

 private:
  // The steps of Decide() (docs/domain-rules.md §5), each recording its path.
  void RouteCustomer(const leadflow::scoring::v1::LeadScored& scored, const RepStateView& reps,
                     std::chrono::system_clock::time_point now, RoutingResult& result);
  // True when the named owner takes the lead.
  bool RouteToNamedOwner(const leadflow::scoring::v1::LeadScored& scored, const RepStateView& reps,
                         std::chrono::system_clock::time_point now, RoutingResult& result) const;
  // A rep of `team_id` by round robin, else the team's overflow.
  void AssignInTeam(const std::string& team_id, const RepStateView& reps,
                    std::chrono::system_clock::time_point now, RoutingResult& result);
  void SetSla(const std::string& team_id, const std::string& rep_id, const RepStateView& reps,
              std::chrono::system_clock::time_point now, RoutingResult& result) const;

  std::shared_ptr<const RoutingPolicy> policy_;
  SmoothWeightedRoundRobin wrr_;
};

}  // namespace leadflow::routing
