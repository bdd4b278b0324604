// The touch schedule and what was sent (nurture_keys.h): the due set, the
// in-flight hash, the sent markers, the contacts' send logs and the
// enrolments' sent lists. A touch is due, then claimed (in flight), then
// finished (sent or skipped: the enrolment advances), deferred, released or
// dropped. Thread-safe as far as redis::Client is; Redis failures come back
// as kUnavailable.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common/redis/client.h"
#include "nurture/app/enrolments.h"
#include "nurture/app/nurture_records.h"

namespace leadflow::nurture {

class TouchLedger {
 public:
  // `enrolments` names the keys a completing Finish() ends.
  TouchLedger(redis::Client& redis, Enrolments& enrolments);

  // Whether any touch is due at or before `now_ms`: one plain read, no script
  // run (the idle scheduler's every poll).
  StatusOr<bool> AnyDue(int64_t now_ms);
  // Claims the touches due at or before `now_ms` (at most `limit`, earliest
  // first): moves them from the due set to the in-flight hash, atomically, in
  // one script run; returns their ids.
  StatusOr<std::vector<std::string>> ClaimDue(int64_t now_ms, int limit);
  // Moves one due touch from the due set to the in-flight hash, atomically;
  // false if another poller took it or it is no longer due.
  StatusOr<bool> ClaimTouch(const std::string& touch_id, int64_t now_ms);
  // In flight -> due again at `due_ms` (deferral or transient failure).
  Status Release(const std::string& touch_id, int64_t due_ms);
  // In flight -> due again at `due_ms` because of a cap or quiet hours; the
  // enrolment's next_due follows if it is still at `step`.
  Status Defer(const std::string& enrolment_id, int step, const std::string& touch_id,
               int64_t due_ms);
  // Defer() of each, all in one script run.
  Status DeferMany(const std::vector<DeferArgs>& deferrals);
  // In flight -> forgotten (its enrolment exited or moved on).
  Status Drop(const std::string& touch_id);
  // Every in-flight touch with its due time (for crash recovery).
  StatusOr<std::vector<std::pair<std::string, int64_t>>> InFlight();
  StatusOr<bool> IsSent(const std::string& touch_id);

  // Atomically: when `sent`, records the touch as sent (sent marker, the
  // contact's send log at `sent_ms`, the enrolment's sent list); then, if the
  // enrolment is active at `expected_step`, moves it to the next step
  // (scheduling `next_touch_id` at `next_due_ms`, or completing and ending it
  // when that is empty: one more round trip first, for its fields); and drops
  // the touch from the in-flight hash. Returns whether the enrolment advanced.
  StatusOr<bool> Finish(const std::string& enrolment_id, const std::string& contact_id,
                        const std::string& touch_id, int expected_step, bool sent, int64_t sent_ms,
                        const std::string& next_touch_id, int64_t next_due_ms);
  // Finish() of each, all in one script run (atomic together; a script error
  // fails every one); one result per finish, in order.
  std::vector<StatusOr<bool>> FinishMany(const std::vector<FinishArgs>& finishes);

 private:
  redis::Client& redis_;
  Enrolments& enrolments_;
};

}  // namespace leadflow::nurture
