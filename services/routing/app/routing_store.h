// Routing's Redis state. Keys share the {routing} hash tag (one cluster slot),
// so the Lua scripts below may touch several of them atomically.
//
//   lf:{routing}:decision:<lead_id>      serialized LeadAssigned: the recorded
//                                        decision; the whole scored lead only
//                                        while routing needs it, else slim
//                                        with a TTL (decision_record.h)
//   lf:{routing}:open:<rep>              open leads of a rep
//   lf:{routing}:open-set:<rep>          lead ids open with a rep
//   lf:{routing}:daily:<yyyy-mm-dd>:<rep>  leads given on the rep's local day (3-day TTL)
//   lf:{routing}:availability            hash rep -> RepAvailability number
//   lf:{routing}:queue:<team>            zset of queue entries, every score 0:
//                                        byte order is drain order (rank, then
//                                        oldest; domain/queue_order.h)
//   lf:{routing}:sla                     zset lead_id -> SLA due (unix ms): the
//                                        running SLA timers (survive restarts)
//   lf:{routing}:outbox                  zset lead_id -> ms: scheduler decisions
//                                        recorded but not yet acknowledged by Kafka
//   lf:{routing}:fb:<lead_id>            hash: the lead's sales feedback
//                                        (FeedbackTags: last "<kind>|<rep>",
//                                        accepted_by, reject reason, close
//                                        outcome, versions; the deal stage, its
//                                        entry version, value, probability, the
//                                        previous stage and time there, stall
//                                        version); the TTL of an owned record
//                                        once closed or rejected
//   lf:{routing}:stalls                  zset lead_id -> when the deal's stage
//                                        stalls (unix ms): running stall timers
//   lf:{routing}:cohort:<yyyy-mm>:<SEGMENT>:leads  HyperLogLog of the lead
//                                        ids of a submission cohort (claim)
//   lf:{routing}:cohort:<yyyy-mm>:<SEGMENT>:won    zset lead_id -> when won
//                                        (close WON); both cohort_store.h
//   lf:{routing}:won:<yyyy-mm>           hash lead_id -> won deal (won_deal.h)
//                                        of the deals won that month
//
// Lifecycles and sizes of every key: docs/state.md.
//
// Capacity: every claim for a team assignment re-checks the rep's open leads
// and daily count inside the script, so concurrent replicas deciding on stale
// snapshots can never push a rep over either cap (the loser gets kNoCapacity
// and decides again).
//
// Threading: as thread-safe as redis::Client (calls are serialised). Every
// method returns kUnavailable when Redis is unreachable, so the consumer loop
// retries the message.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/redis/client.h"
#include "leadflow/routing/v1/routing.pb.h"
#include "routing/domain/rep_state.h"
#include "routing/domain/sales_state.h"

namespace leadflow::routing {

struct StoredDecision {
  leadflow::routing::v1::LeadAssigned record;
  std::string raw;  // exact stored bytes, for compare-and-swap
};

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
  // domain/queue_order.h); for a dequeue, the entry as QueuedLeads read it.
  std::string queue_entry;
  int64_t outbox_ms = 0;   // > 0: keep in the outbox until Emitted()
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

// One entry of a team queue.
struct QueuedLead {
  std::string lead_id;
  std::string entry;  // the sorted-set member (domain/queue_order.h)
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

enum class FeedbackApply {
  kApplied,
  kChanged,  // the feedback tags were no longer the expected ones: read again
  kNotOpen,
};

// What ApplyFeedback writes besides the feedback itself.
struct FeedbackRecord {
  // The record the lead's decision becomes (when the stored one is still
  // `expected_raw`); "" leaves it as it is.
  std::string new_record;
  int64_t new_record_ttl_seconds = 0;  // > 0: it expires after that long
  // > 0: the feedback hash expires after that long (the lead is no longer open).
  int64_t feedback_ttl_seconds = 0;
  // A "stage" feedback: what the fb hash records of the deal stage
  // (FeedbackTags), and when the stage stalls (> 0: the stall timer is
  // (re)armed and an earlier stall forgotten; 0: a value update in the same
  // stage, timer and stall kept).
  std::string stage;
  int64_t value_rub = 0;
  int win_probability_pct = 0;
  std::string previous_stage;
  int64_t ms_in_previous_stage = 0;
  int64_t stage_version = 0;
  int64_t stall_due_ms = 0;
  // A close WON: the won deal (EncodeWonDeal, domain/won_deal.h; "" for any
  // other feedback) goes in the ledger of the month it was won
  // (`won_month`, expiring at won_expires_at), and the lead into its
  // cohort's won deals (`won_cohort`, Cohort::Name(); "" when the lead has
  // no cohort) at `won_at_ms`, expiring at cohort_expires_at.
  std::string won_entry;
  std::string won_month;
  int64_t won_expires_at = 0;
  std::string won_cohort;
  int64_t won_at_ms = 0;
  int64_t cohort_expires_at = 0;
};

class RoutingStore {
 public:
  explicit RoutingStore(redis::Client& redis) : redis_(redis) {}

  StatusOr<std::optional<StoredDecision>> GetDecision(const std::string& lead_id);

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

  // Applies sales feedback for a lead held by `rep_id` (a transition the
  // caller decided with NextSalesState on `expected_tags`): "accept" stops the
  // SLA timer; "stage" (only once the rep accepted) records the deal stage
  // from `write` and arms its stall timer; "reject"/"close" also release the
  // open-lead slot, stop the stall timer and, when
  // `write.new_record` is set and the stored record is still `expected_raw`,
  // replace the record (`*replaced` says whether it did). The tags record the
  // kind, `detail` (reason or outcome name) and `version`. kChanged: the
  // lead's tags (last, accepted_by, version) changed since they were read
  // (nothing written); kNotOpen: the lead is not open with that rep.
  StatusOr<FeedbackApply> ApplyFeedback(const std::string& lead_id, const std::string& rep_id,
                                        const std::string& kind, const std::string& detail,
                                        const std::string& expected_raw,
                                        const FeedbackTags& expected_tags, int64_t version,
                                        const FeedbackRecord& write, int64_t* open_after,
                                        bool* replaced = nullptr);
  // Replaces the lead's record only while it is still `expected_raw`
  // (compare-and-swap), expiring after `ttl_seconds` (> 0) or never (0).
  // False when it changed meanwhile.
  StatusOr<bool> ReplaceDecision(const std::string& lead_id, const std::string& expected_raw,
                                 const std::string& new_raw, int64_t ttl_seconds);
  // Renews the TTL of the records and feedback of leads a rep held (closed or
  // rejected): a rescore that meets one keeps it for another sales cycle.
  Status RenewOwned(const std::vector<std::string>& lead_ids, int64_t ttl_seconds);

  // The last feedback applied to a lead, as "<kind>|<rep>" ("" when none).
  StatusOr<std::string> LastFeedback(const std::string& lead_id);
  // The same for several leads in one round trip.
  StatusOr<std::vector<std::string>> LastFeedbacks(const std::vector<std::string>& lead_ids);
  // The lead's feedback tags (all empty when none), and the same for several
  // leads in one round trip.
  StatusOr<FeedbackTags> GetFeedbackTags(const std::string& lead_id);
  StatusOr<std::vector<FeedbackTags>> GetFeedbackTagsMany(const std::vector<std::string>& lead_ids);

  using DayOf = std::function<std::string(const std::string& rep_id)>;
  StatusOr<RepStateView> LoadRepStates(const std::vector<std::string>& rep_ids,
                                       const DayOf& day_of);

  // What routing a batch of leads needs, read in one round trip: each lead's
  // recorded decision (raw bytes; nullopt when none) and the state of
  // `rep_ids` (as LoadRepStates).
  struct RoutingSnapshot {
    std::vector<std::optional<std::string>> decisions;
    RepStateView reps;
  };
  StatusOr<RoutingSnapshot> ReadForRouting(const std::vector<std::string>& lead_ids,
                                           const std::vector<std::string>& rep_ids,
                                           const DayOf& day_of);
  // Parses a stored decision (Internal naming the lead when corrupt).
  static StatusOr<StoredDecision> ParseDecision(const std::string& lead_id, std::string raw);
  Status SetAvailability(const std::string& rep_id, leadflow::routing::v1::RepAvailability a);
  // Lead ids currently open with a rep.
  StatusOr<std::vector<std::string>> OpenLeads(const std::string& rep_id);

  // Team queue in drain order (highest rank first, then oldest; see
  // domain/queue_order.h), up to `limit` entries; and its length.
  StatusOr<std::vector<QueuedLead>> QueuedLeads(const std::string& team, int limit);
  StatusOr<int64_t> QueueDepth(const std::string& team);
  // Removes one entry (as QueuedLeads read it) from a team queue.
  Status RemoveFromQueue(const std::string& team, const std::string& entry);

  // Running SLA timers due at or before `now_ms`: (lead_id, due_ms).
  StatusOr<std::vector<std::pair<std::string, int64_t>>> DueSlaTimers(int64_t now_ms, int limit);
  Status StopSlaTimer(const std::string& lead_id);
  // Only while the timer is still due at `expected_due_ms` (nobody re-armed
  // it meanwhile): re-arm it at `new_due_ms`, or stop it when that is 0.
  Status CompareAndSetSlaTimer(const std::string& lead_id, int64_t expected_due_ms,
                               int64_t new_due_ms);

  // Running stall timers due at or before `now_ms`: (lead_id, due_ms).
  StatusOr<std::vector<std::pair<std::string, int64_t>>> DueStallTimers(int64_t now_ms, int limit);
  // Stops a stall timer only while it is still due at `due_ms` (0: whatever
  // its time).
  Status StopStallTimer(const std::string& lead_id, int64_t due_ms = 0);
  // Records the stall of the lead's stage, atomically: only while its stall
  // timer is still due at `due_ms` and the stage is still the one entered at
  // `stage_version`; stops the timer and sets the tags' stalled version.
  // False when either changed meanwhile (another replica fired it, or the
  // deal moved or closed).
  StatusOr<bool> MarkStalled(const std::string& lead_id, int64_t due_ms, int64_t stage_version,
                             int64_t stall_version);

  // Outbox entries recorded at or before `before_ms`.
  StatusOr<std::vector<std::string>> OutboxDue(int64_t before_ms, int limit);
  Status Emitted(const std::string& lead_id);

  // The UTC day ("yyyy-mm-dd"): the daily-count day of reps without hours
  // (RepLocalDay gives every rep's own day).
  static std::string DayKey(std::chrono::system_clock::time_point now);

 private:
  // Timers of a zset lead_id -> due ms (SLA, stalls) due at or before `now_ms`.
  StatusOr<std::vector<std::pair<std::string, int64_t>>> DueTimers(const std::string& key,
                                                                   int64_t now_ms, int limit);

  redis::Client& redis_;
};

}  // namespace leadflow::routing
