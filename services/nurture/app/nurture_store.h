// Nurture's Redis state. All keys share the {nurture} hash tag so the Lua
// scripts can touch several atomically.
//
//   lf:{nurture}:enrol:<enrolment_id>   hash: contact_id, lead_id, track_id, audience,
//                                       account_key, email, trace_id, enrolled_ms,
//                                       next_step, next_due_ms, state, exit_reason
//   lf:{nurture}:req:<enrolment_id>     the NurtureRequested that enrolled it (lookup data
//                                       for the registry re-check before each touch)
//   lf:{nurture}:sent-list:<enrolment_id>  touch ids sent, in order
//   lf:{nurture}:contact:<contact_id>   set of enrolment ids (also :lead:<id>)
//   lf:{nurture}:account:<key>          set of the ACTIVE enrolment ids of an account
//   lf:{nurture}:contact-email:<email>  hash: "contact" -> contact id (Unsubscribe by
//                                       email), and a field per active enrolment id
//   lf:{nurture}:due                    sorted set: score = due ms, member = touch id
//   lf:{nurture}:inflight               hash touch id -> due ms: claimed by the scheduler and
//                                       possibly produced; resolved by Finish/Release/Drop, or
//                                       after a crash by the recovery scan of nurture.touches
//   lf:{nurture}:sent:<touch_id>        "1" once the touch is known to be on nurture.touches
//                                       (TTL kSentMarkerTtl)
//   lf:{nurture}:sends:<contact_id>     sorted set of the contact's sends (score = ms, member =
//                                       16 hex digits of the touch id's SHA-256), for caps
//                                       (TTL 14 days)
//   lf:{nurture}:scheduler-lease        instance id of the one replica running the scheduler
//   lf:{nurture}:unsub                  set of unsubscribed contact ids
//   lf:{nurture}:unsub-email            set of unsubscribed emails (never enrolled when asked)
//   lf:{nurture}:suppressed:<account>   set of suppressed topics
//
// Only the NEXT touch of an enrolment is in the due set; sending it schedules
// the one after (see Advance).
//
// Lifecycle (docs/state.md): while an enrolment is active everything above
// lives without a TTL. When it ends (its last touch finished: COMPLETED; or
// EXITED), in the same script: its request (the lead's body) is deleted; its
// hash loses account_key and email and, with its sent list, expires after
// kEndedEnrolmentTtl (GetEnrolment still answers for it meanwhile); it leaves
// the account index and the email lookup (deleted with the email's last
// active enrolment); the lead index expires kIndexTtl later (a lead enrols
// once during a sales cycle: the lead index is what says so), the contact
// index kEndedEnrolmentTtl after the contact's last enrolment ended
// (kIndexTtl when the enrolment had no email to tell that by).
//
// Thread-safe as far as redis::Client is; Redis failures come back as
// kUnavailable.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/redis/client.h"
#include "leadflow/nurture/v1/nurture.pb.h"
#include "leadflow/routing/v1/routing.pb.h"

namespace leadflow::nurture {

// How long an ended enrolment (its hash and sent list) stays readable.
inline constexpr std::chrono::seconds kEndedEnrolmentTtl = std::chrono::hours(24 * 30);
// How long the lead index outlives an enrolment's end: a sales cycle, the
// scoring state's TTL (a rescore may send the lead back to nurture).
inline constexpr std::chrono::seconds kIndexTtl = std::chrono::hours(24 * 548);
// How long a sent marker outlives its touch: it only guards a touch that a
// failed finish left in flight until the next Recover().
inline constexpr std::chrono::seconds kSentMarkerTtl = std::chrono::hours(24 * 14);

struct NewEnrolment {
  std::string enrolment_id;
  std::string contact_id;
  std::string lead_id;
  std::string track_id;
  leadflow::common::v1::Relationship audience = leadflow::common::v1::PROSPECT;
  std::string account_key;
  std::string email;  // normalised; for Unsubscribe by email
  std::string trace_id;
  int64_t enrolled_ms = 0;
  std::string first_touch_id;
  int64_t first_due_ms = 0;
};

struct EnrolmentRecord {
  leadflow::nurture::v1::Enrolment enrolment;  // state, next step, sent touches...
  std::string account_key;                     // "" once ended
  std::string email;                           // "" once ended (or enrolled before it was kept)
  std::string trace_id;
  int64_t next_due_ms = 0;
  int64_t enrolled_ms = 0;
};

// Batch inputs and outputs (see NurtureStore's "Batches" section).
struct EnrolCheckQuery {
  std::string lead_id;  // "" skips the lead's enrolment index
  std::string contact_id;
  std::string email;  // "" skips the unsubscribed-email set
};
struct EnrolChecks {
  std::vector<std::string> lead_enrolments;  // the lead's enrolment ids
  bool unsubscribed = false;                 // by contact id or email
};
struct EnrolWrite {
  const NewEnrolment* enrolment;
  const leadflow::routing::v1::NurtureRequested* request;
};
// What the checks before a touch read about it.
struct TouchState {
  std::optional<EnrolmentRecord> record;  // without the sent list
  std::optional<leadflow::routing::v1::NurtureRequested> request;
  bool already_sent = false;  // on nurture.touches already (sent marker)
};
struct ContactCheckQuery {
  std::string contact_id;
  std::vector<std::string> accounts;  // suppression is checked for each
  std::string topic;
  int64_t now_ms = 0;
};
struct ContactChecks {
  bool unsubscribed = false;
  bool suppressed = false;            // the topic for any of the accounts
  std::vector<int64_t> recent_sends;  // as RecentSends
};
struct DeferArgs {
  std::string enrolment_id;
  int step = 0;
  std::string touch_id;
  int64_t due_ms = 0;
};
struct FinishArgs {
  std::string enrolment_id;
  std::string contact_id;
  std::string touch_id;
  int expected_step = 0;
  bool sent = false;
  int64_t sent_ms = 0;
  std::string next_touch_id;
  int64_t next_due_ms = 0;
  // The enrolment's lead, account and email (EnrolmentRecord): the keys its
  // end touches when this touch completes it.
  std::string lead_id = {};
  std::string account_key = {};
  std::string email = {};
};

class NurtureStore {
 public:
  explicit NurtureStore(redis::Client& redis) : redis_(redis) {}

  // Creates the enrolment and schedules its first touch, atomically; false if
  // it already existed (a redelivered request).
  StatusOr<bool> Enrol(const NewEnrolment& e, const leadflow::routing::v1::NurtureRequested& req);

  StatusOr<std::optional<EnrolmentRecord>> Get(const std::string& enrolment_id);
  StatusOr<std::optional<leadflow::routing::v1::NurtureRequested>> GetRequest(
      const std::string& enrolment_id);
  StatusOr<std::vector<std::string>> EnrolmentsOfContact(const std::string& contact_id);
  StatusOr<std::vector<std::string>> EnrolmentsOfLead(const std::string& lead_id);
  StatusOr<std::vector<std::string>> EnrolmentsOfAccount(const std::string& account_key);
  StatusOr<std::optional<std::string>> ContactByEmail(const std::string& email);

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
  // In flight -> forgotten (its enrolment exited or moved on).
  Status Drop(const std::string& touch_id);
  // Every in-flight touch with its due time (for crash recovery).
  StatusOr<std::vector<std::pair<std::string, int64_t>>> InFlight();
  StatusOr<bool> IsSent(const std::string& touch_id);
  // The contact's send times (ms) in the last 7 days before `now_ms`.
  StatusOr<std::vector<int64_t>> RecentSends(const std::string& contact_id, int64_t now_ms);

  // Atomically: when `sent`, records the touch as sent (sent marker, the
  // contact's send log at `sent_ms`, the enrolment's sent list); then, if the
  // enrolment is active at `expected_step`, moves it to the next step
  // (scheduling `next_touch_id` at `next_due_ms`, or completing and ending it
  // when that is empty: one more round trip first, for its fields); and drops
  // the touch from the in-flight hash. Returns whether the enrolment advanced.
  StatusOr<bool> Finish(const std::string& enrolment_id, const std::string& contact_id,
                        const std::string& touch_id, int expected_step, bool sent, int64_t sent_ms,
                        const std::string& next_touch_id, int64_t next_due_ms);
  // Marks an active enrolment EXITED, unschedules its pending touch and ends
  // it (see Lifecycle above). Two round trips: the enrolment's fields, then
  // the script.
  StatusOr<bool> Exit(const std::string& enrolment_id, const std::string& reason);

  // Records the contact as unsubscribed (first, so a touch in progress sees
  // it), then exits every active enrolment of it with `reason`. Returns how
  // many enrolments exited.
  StatusOr<int> Unsubscribe(const std::string& contact_id, const std::string& reason);
  // The scheduler lease (lf:{nurture}:scheduler-lease): true when `owner`
  // holds it now, renewed for `ttl_ms`, or took it because it was free.
  StatusOr<bool> HoldSchedulerLease(const std::string& owner, int64_t ttl_ms);

  StatusOr<bool> IsUnsubscribed(const std::string& contact_id);
  Status AddUnsubscribed(const std::string& contact_id);
  // By email, for addresses never enrolled yet (checked at enrolment).
  StatusOr<bool> IsUnsubscribedEmail(const std::string& email);
  Status AddUnsubscribedEmail(const std::string& email);
  StatusOr<bool> IsSuppressed(const std::string& account_key, const std::string& topic);
  Status AddSuppression(const std::string& account_key, const std::string& topic);

  // Batches: the same reads and writes for many at once, each in one round
  // trip (a pipeline or one script run), one result per input in order (a
  // connection failure fails every one). They read and write with variadic
  // commands where they can (SMISMEMBER, MGET, one HDEL/ZADD per batch) so a
  // batch costs few Redis commands, not a few per input.
  std::vector<StatusOr<EnrolChecks>> EnrolChecksMany(const std::vector<EnrolCheckQuery>& queries);
  // Enrol() of each.
  std::vector<StatusOr<bool>> EnrolMany(const std::vector<EnrolWrite>& writes);
  // Per touch id: its enrolment (Get() without the sent list), its request
  // and its sent marker.
  std::vector<StatusOr<TouchState>> LoadTouchStates(const std::vector<std::string>& touch_ids);
  // Per contact: unsubscribed, topic suppressed for any of the accounts, and
  // the recent sends.
  std::vector<StatusOr<ContactChecks>> LoadContactChecks(
      const std::vector<ContactCheckQuery>& queries);
  // Defer() of each, all in one script run.
  Status DeferMany(const std::vector<DeferArgs>& deferrals);
  // Finish() of each, all in one script run (atomic together; a script error
  // fails every one).
  std::vector<StatusOr<bool>> FinishMany(const std::vector<FinishArgs>& finishes);

 private:
  // An enrolment's ids as its hash holds them (exists: the hash does).
  struct Fields {
    bool exists = false;
    std::string contact_id, lead_id, account_key, email;
  };
  StatusOr<Fields> EnrolmentFields(const std::string& enrolment_id);
  StatusOr<std::vector<std::string>> Members(const std::string& key);
  redis::Client& redis_;
};

}  // namespace leadflow::nurture
