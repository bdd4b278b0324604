// The claims that come with a routing decision, each atomic (one Lua script):
// the lead's recorded decision (decision_log.h) together with its effect on a
// rep's load (open leads, today's count: rep_load_store.h), a team queue
// (team_queue.h), the SLA timer (lead_timers.h; a started timer is also listed
// as new for the SLA ladder, sla_ladder_store.h), the outbox (outbox.h) and the
// lead's submission cohort (cohort_store.h).
//
// Capacity: every claim for a team assignment re-checks the rep's open leads
// and daily count inside the script, so concurrent replicas deciding on stale
// snapshots can never push a rep over either cap (the loser gets kNoCapacity
// and decides again).
//
// Threading: as thread-safe as redis::Client. Every method returns
// kUnavailable when Redis is unreachable, so the consumer loop retries the
// message; a claim while routing's state is being rebuilt is refused.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/redis/client.h"
#include "leadflow/routing/v1/routing.pb.h"
#include "routing/app/decision_log.h"

namespace leadflow::routing {

// What a recorded decision claims besides the record itself.
enum class ClaimEffect {
  kNone,   // nurture, customer inbound, disqualified
  kRep,    // +1 open lead and +1 today for decision.rep_id
  kQueue,  // added to the team queue at queue_entry's rank
};

struct ClaimRequest {
  // The record to store: `record`, serialised by the store; or, when `raw` is
  // set, those bytes, with the ids the keys need in lead_id, rep_id and team
  // (the leads.scored path serialises the record around the consumed bytes).
  const leadflow::routing::v1::LeadAssigned* record = nullptr;
  const std::string* raw = nullptr;
  std::string lead_id, rep_id, team;
  ClaimEffect effect = ClaimEffect::kNone;
  // Set: replace only a record whose stored bytes equal this (compare-and-
  // swap: re-route after a rescore, queue drain). Unset: only if none exists.
  std::optional<std::string> replace_raw;
  std::string day;   // kRep: the rep's local day key (RepLocalDay)
  int max_open = 0;  // kRep: capacity to enforce; 0 = none (owner precedence)
  int daily_cap = 0;
  int64_t sla_due_ms = 0;  // > 0: start (or restart) the lead's SLA timer
  bool dequeue = false;    // remove queue_entry from the team queue
  // kQueue / dequeue: the lead's entry in the team queue (QueueEntry,
  // domain/queue_order.h); for a dequeue, the entry as TeamQueue read it.
  std::string queue_entry;
  int64_t outbox_ms = 0;  // > 0: keep in the outbox until Outbox::Emitted()
  // > 0: the record expires after this many seconds (a slim record,
  // decision_record.h); 0: it never does (the lead's body, kept while routing
  // still acts on the lead).
  int64_t ttl_seconds = 0;
  // The lead's submission cohort (Cohort::Name(), domain/cohort.h; "" none):
  // the claim adds the lead to the cohort's leads, expiring at
  // cohort_expires_at (unix seconds).
  std::string cohort;
  int64_t cohort_expires_at = 0;
};

struct ClaimResult {
  enum class Kind { kClaimed, kExists, kNoCapacity };
  Kind kind = Kind::kClaimed;
  bool claimed() const { return kind == Kind::kClaimed; }
  StoredDecision existing;     // kExists: the record that was there
  int64_t rep_open_leads = 0;  // kRep: the rep's open leads after the claim
  int64_t queue_depth = 0;     // kQueue / dequeue: the team queue length after
};

struct ReassignRequest {
  const leadflow::routing::v1::LeadAssigned* record = nullptr;  // the new assignment
  std::string expected_raw;                                     // the record being replaced
  std::string old_rep;
  std::string day;  // new rep's local day
  int max_open = 0;
  int daily_cap = 0;
  int64_t sla_due_ms = 0;
  int64_t outbox_ms = 0;
};

class LeadClaims {
 public:
  explicit LeadClaims(redis::Client& redis) : redis_(redis) {}

  // Records the request's record for its lead and applies its effect,
  // atomically (one Lua script). A redelivered message therefore never claims
  // twice, and a kRep claim never exceeds max_open / daily_cap.
  StatusOr<ClaimResult> Claim(const ClaimRequest& request);
  // Claim for each request, all in one script call (one round trip, one
  // EVALSHA); Redis runs them in order, so a later request sees an earlier
  // one's effect (two requests for one rep's last slot: the second gets
  // kNoCapacity). One result per request (a request that fails in Redis fails
  // alone); the outer status fails only when Redis is unreachable or the
  // script as a whole is refused.
  StatusOr<std::vector<StatusOr<ClaimResult>>> ClaimMany(const std::vector<ClaimRequest>& requests);

  // SLA re-assignment, atomically: only while the lead's SLA timer still runs
  // and its record is `expected_raw`; releases old_rep's slot, claims the new
  // rep under its caps, restarts the timer. kExists = stale (accepted, closed
  // or re-assigned meanwhile).
  StatusOr<ClaimResult> Reassign(const ReassignRequest& request);

 private:
  redis::Client& redis_;
};

}  // namespace leadflow::routing
