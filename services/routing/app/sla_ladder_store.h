// The SLA escalation ladder's Redis state (docs/state.md, docs/domain-rules.md
// §5), beside routing's SLA timers (routing_store.h):
//
//   lf:{routing}:sla-ladder        zset lead_id -> when the lead's next ladder
//                                  step is due (unix ms: a reminder to send,
//                                  or the lease of a step being sent)
//   lf:{routing}:sla-ladder-new    zset lead_id -> SLA timer due (unix ms): the
//                                  timers the claim and re-assignment scripts
//                                  started that the ladder has not looked at
//   lf:{routing}:sla-ladder-epoch  the state marker (lf:{routing}:state) the
//                                  ladder last took every running timer from
//
// Work per tick is proportional to what changed, never to the running timers:
// Sync() reads the new timers only (after a state rebuild, every restored
// timer once), ArmMany() takes them off the list and arms their reminders, Due()
// reads the steps due. An entry lives from its arming until its step is
// finished (its due is at most the SLA deadline, or a lease), so an accepted
// or closed lead's entry goes when it comes due. Every step is claimed by one
// replica (compare-and-swap to a lease) and finished after its event is
// published: a crash in between lets any replica publish it again once the
// lease runs out (at least once; readers dedupe by lead_id, step and due_at).
//
// Threading: as thread-safe as redis::Client. Every method returns
// kUnavailable when Redis is unreachable or routing's state is being rebuilt.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/redis/client.h"

namespace leadflow::routing {

class SlaLadderStore {
 public:
  explicit SlaLadderStore(redis::Client& redis) : redis_(redis) {}

  // The list of new SLA timers the claim scripts add to (lead_claims.h).
  static std::string NewTimersKey();

  // Up to `limit` SLA timers new to the ladder, earliest first: (lead_id,
  // timer due ms).
  StatusOr<std::vector<std::pair<std::string, int64_t>>> Sync(int limit);
  // A timer Sync() returned, and the reminder its entry is armed at.
  struct Arming {
    std::string lead_id;
    int64_t timer_due_ms = 0;
    int64_t remind_ms = 0;  // the reminder's due; 0: nothing pending
  };
  // Takes the timers off the list and arms each lead's entry while its SLA
  // timer is still at timer_due_ms, all in one script call.
  Status ArmMany(const std::vector<Arming>& arms);
  // Drops up to `limit` new timers unseen (no team has a ladder).
  Status Forget(int limit);
  // Entries with a step due at or before `now_ms`: (lead_id, score).
  StatusOr<std::vector<std::pair<std::string, int64_t>>> Due(int64_t now_ms, int limit);
  // Claims a due entry still at `score` until `lease_ms`. nullopt: not
  // claimed (another replica has it); else the lead's SLA timer due (0 when
  // none runs).
  StatusOr<std::optional<int64_t>> Claim(const std::string& lead_id, int64_t score,
                                         int64_t lease_ms);
  // Claims the escalation at the deadline: moves the SLA timer from
  // `deadline_ms` to `grace_end_ms` and leases the entry until `lease_ms`.
  // False when the timer is no longer at the deadline.
  StatusOr<bool> ClaimEscalation(const std::string& lead_id, int64_t deadline_ms,
                                 int64_t grace_end_ms, int64_t lease_ms);
  // Finishes a claimed step (its event published): true when this call did.
  StatusOr<bool> Finish(const std::string& lead_id, int64_t lease_ms);

 private:
  redis::Client& redis_;
};

}  // namespace leadflow::routing
