// Nurture's message paths and scheduler.
//
// Inputs (each a consumer-loop handler):
//  - leads.nurture and accounts.inbound together (HandleEnrolments, a batch
//    handler: the batch's registry lookups, lead indexes and unsubscribe sets
//    are read in pipelined round trips and its enrolments written in one
//    script run, with the same decisions as one message at a time; a lead
//    twice in a batch enrols once).
//  - leads.nurture (HandleNurtureRequest): prospects from routing, including
//    leads sales rejected with a protected reason (NurtureRequested.reason),
//    which re-enter the right track under a fresh enrolment. The contact's
//    audience is taken from nurture's CURRENT registry view: a lead whose
//    account has become a customer enters a customer track. A request stamped
//    CUSTOMER is a routing violation: blocked, logged, counted in
//    leadflow_audience_violations_total and dead-lettered (AUDIENCE_MISMATCH).
//  - accounts.inbound (HandleCustomerInbound): customer leads enter a
//    customer track (personalised updates, satisfaction audit, upsell).
//  - accounts.changes (HandleAccountChange, through the registry's
//    view::TopicView, which calls it in topic order): applied to the registry
//    view, then every active enrolment of that account whose audience no
//    longer matches leaves its track and enters one of the new audience at
//    once. While the view rebuilds, the send-time and enrolment lookups
//    refuse (kUnavailable), so nothing is sent on a guess.
//  - leads.assigned, engagement.events, sales.feedback (HandleExitEvent):
//    exits - MQL assigned, reply, meeting booked, unsubscribe, consent
//    withdrawn, sales accepted. A reply or booked meeting (a questionnaire
//    answer is a reply to questionnaire content) of a CUSTOMER account is
//    also told to its owner on accounts.notifications (CUSTOMER_RESPONDED),
//    after the registry view confirms the account is a customer (kUnavailable
//    while the view is not ready: the event is retried, never guessed).
//  - proactive programmes (EnrolProgrammes, from RunScheduler every
//    programme_scan_seconds of schedule time; docs/domain-rules.md §7): every
//    CUSTOMER account of the registry whose cycle is due enrols in the
//    programme's track, chosen by the size of the customer base. Its touches
//    address the account ("a-" + account key), go through the same checks as
//    every touch and notify the owner; a programme enrolment whose account
//    stops being a customer exits, it never moves to a prospect track.
// Enrolment is idempotent (enrolment id = lead_id:track_id[~reason]).
//
// PollOnce(): claims due touches and reads what their checks need, for the
// whole poll in a few round trips (the claim script, enrolments and requests,
// registry view, the contact-checks script: unsubscribe / suppression /
// recent sends); then, for each,
// in order: re-checks the contact's current relationship (a changed one moves
// the enrolment to the right track, this touch is not sent); the wall (track,
// enrolment and content audience must equal the current relationship, else a
// counted violation); unsubscribe; topic suppression; frequency caps (this
// poll's earlier sends included) and quiet hours (deferral); then emits
// accounts.notifications (customers) and the Touch on nurture.touches,
// exactly once per touch id: a claimed touch sits in an in-flight set until
// finished (the poll's sends in one script run after the flush), and Recover()
// resolves in-flight touches left by a crash against the touch log itself.
//
// Replicas: the consumers scale out like every service's. The scheduler runs
// on one replica at a time, the holder of a Redis lease (SetSchedulerLease):
// Recover() treats every in-flight touch as left by a crash, and caps are
// checked, not reserved, so two pollers must never overlap. A replica that
// cannot renew the lease stops polling at once; another takes over when the
// lease expires (a restarted process with the same LEADFLOW_INSTANCE_ID, e.g.
// the same pod, takes it back at once).
//
// Threading: the handlers and PollOnce() may run on different threads; all
// state is in Redis. Not copyable; must outlive the consumer loops and the
// background task.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <optional>
#include <memory>
#include <set>

#include "common/kafka/consumer_loop.h"
#include "common/kafka/producer.h"
#include "common/registry/account_registry.h"
#include "common/view/topic_view.h"
#include "common/util/clock.h"
#include "leadflow/engagement/v1/engagement.pb.h"
#include "nurture/app/nurture_metrics.h"
#include "nurture/app/nurture_store.h"
#include "nurture/app/programme_store.h"
#include "nurture/domain/nurture_policy.h"
#include "nurture/domain/touch_plan.h"

namespace leadflow::nurture {

// Reads every record of nurture.touches present now (crash recovery).
using TouchLogScan = std::function<Status(const std::function<void(const kafka::ConsumedMessage&)>&)>;

class SingleContactFlags;

class NurtureEngine {
 public:
  NurtureEngine(std::shared_ptr<const NurturePolicy> policy, NurtureStore& store,
                registry::AccountRegistry& registry, kafka::Producer& producer,
                NurtureMetrics& metrics, const Clock& clock, TouchLogScan scan = nullptr);

  Status HandleNurtureRequest(const kafka::ConsumedMessage& message,
                              std::vector<kafka::OutgoingMessage>& out);
  Status HandleCustomerInbound(const kafka::ConsumedMessage& message,
                               std::vector<kafka::OutgoingMessage>& out);
  // One accounts.changes record of the registry view's build `epoch` (see
  // AccountRegistry::Apply for the statuses).
  Status HandleAccountChange(const std::string& epoch, const kafka::ConsumedMessage& message);
  Status HandleExitEvent(const kafka::ConsumedMessage& message,
                         std::vector<kafka::OutgoingMessage>& out);
  // Back-compat name for HandleNurtureRequest.
  Status Handle(const kafka::ConsumedMessage& message, std::vector<kafka::OutgoingMessage>& out) {
    return HandleNurtureRequest(message, out);
  }
  kafka::MessageHandler Handler();  // leads.nurture and accounts.inbound, one at a time
  // leads.nurture and accounts.inbound, a consumer batch at a time (the service's).
  std::vector<kafka::HandledMessage> HandleEnrolments(
      const std::vector<kafka::ConsumedMessage>& batch);
  kafka::BatchHandler EnrolmentsHandler();
  view::ApplyFn AccountChangesApplier();  // accounts.changes, for the registry view
  kafka::MessageHandler ExitsHandler();  // leads.assigned, engagement.events, sales.feedback

  // Unsubscribes a contact: recorded first (so a touch in progress sees it),
  // then every enrolment exits with `reason`. Returns how many exited.
  StatusOr<int> Unsubscribe(const std::string& contact_id, const std::string& reason);

  // Resolves touches left in flight by a crash: those already on
  // nurture.touches are finished without re-sending, the rest become due
  // again. Returns how many were resolved. Called by RunScheduler first.
  StatusOr<int> Recover();
  // Processes every touch due now (up to `limit`); returns how many were
  // handled (sent, suppressed, deferred or exited), or kUnavailable.
  StatusOr<int> PollOnce(int limit = 200);
  // Run the scheduler only while holding the lease as `instance_id` (renewed
  // every poll, expiring after `ttl`). Without this call it always runs
  // (single-process tests). Call before RunScheduler.
  void SetSchedulerLease(std::string instance_id, std::chrono::milliseconds ttl) {
    lease_owner_ = std::move(instance_id);
    lease_ttl_ = ttl;
  }
  // While leader: Recover() once, then PollOnce every `interval` until `stop`.
  void RunScheduler(const std::atomic<bool>& stop,
                    std::chrono::milliseconds interval = std::chrono::milliseconds(100));

  const NurturePolicy& policy() const { return *policy_; }

  // Proactive customer programmes (the policy's programmes) run only with a
  // programme store; call before the consumers and the scheduler start.
  void SetProgrammeStore(ProgrammeStore* programmes) { programmes_ = programmes; }
  // Never one lonely channel (nurture/domain/single_contact.h): with flags, a
  // customer lead on accounts.inbound whose account coverage counts one
  // contact tells the account's owner (SINGLE_CONTACT on
  // accounts.notifications), at most once per account per 90 days. Call
  // before the consumers start.
  void SetSingleContactFlags(SingleContactFlags* flags) { single_contact_ = flags; }
  // Enrols each CUSTOMER account of the programme base in every programme
  // whose current cycle for it is enrollable and not enrolled yet (a cycle
  // enrols once: its lead id is the cycle's). First restores the record of
  // enrolled cycles from nurture.touches when Redis lost it. Fails closed:
  // kUnavailable (nothing enrolled) while the registry view is not ready.
  // Returns how many due cycles it found (each enrolled now or before).
  StatusOr<int> EnrolProgrammes();

 private:
  // The contact's relationship in the registry view as applied so far: only
  // for HandleAccountChange, which runs inside the view's own updates.
  StatusOr<leadflow::common::v1::Relationship> AppliedRelationship(
      const leadflow::routing::v1::NurtureRequested& req);
  // An enrolment to make: the request, and the audience when it is known
  // (a migration) rather than looked up in the registry view.
  struct EnrolRequest {
    leadflow::routing::v1::NurtureRequested req;
    std::optional<leadflow::common::v1::Relationship> audience;
    std::string account_key;
    std::string suffix;  // makes a re-entry a fresh enrolment
    bool once = false;   // not if the lead has an enrolment already
    // The track, when it is chosen already (a programme's); else by selector.
    const leadflow::config::v1::Track* track = nullptr;
  };
  // Restores the programmes' enrolled cycles from nurture.touches when the
  // prog-state marker is missing (a Redis loss, or the first start).
  Status RestoreProgrammeCycles();
  // A CUSTOMER_RESPONDED notification for an engagement event of a customer
  // account (none for a prospect or an unknown account).
  Status NotifyResponse(const leadflow::engagement::v1::EngagementEvent& ev,
                        const std::string& contact, std::vector<kafka::OutgoingMessage>& out);
  // SINGLE_CONTACT notices for the batch's customer leads whose account is
  // known as one contact (claims in one round trip); a failed claim fails its
  // record (kUnavailable, retried).
  void FlagSingleContacts(const std::vector<kafka::ConsumedMessage>& batch,
                          const std::vector<size_t>& index,
                          const std::vector<EnrolRequest>& requests, std::vector<Status>& statuses,
                          std::vector<std::vector<kafka::OutgoingMessage>>& notices);
  // Parses a leads.nurture / accounts.inbound record and applies the wall at
  // the door; false when `result` is final (bad record, blocked violation).
  bool DecodeEnrolment(const kafka::ConsumedMessage& message, kafka::HandledMessage& result,
                       EnrolRequest& request);
  // Enrols each request's lead in the best track of its audience, in order;
  // one status each: kInvalidArgument when no track matches (dead-lettered by
  // the consumer loop); Ok without enrolling when the contact unsubscribed or
  // (`once`) the lead is enrolled already.
  // `notices` (when given, one list per request) receives the
  // ACCOUNT_DEVELOPMENT notification of a lead enrolled for a protected
  // rejection, to be produced with the request's outcome.
  std::vector<Status> EnrolAll(
      const std::vector<EnrolRequest>& requests,
      std::vector<std::vector<kafka::OutgoingMessage>>* notices = nullptr);
  // EnrolAll of one request with a known audience.
  Status EnrolIn(const leadflow::routing::v1::NurtureRequested& req,
                 leadflow::common::v1::Relationship audience, const std::string& account_key,
                 const std::string& suffix);
  // Exits `enrolment_id` and enrols its lead in the track of `now_is`.
  Status Migrate(const std::string& enrolment_id, leadflow::common::v1::Relationship now_is);
  Status ExitEnrolment(const std::string& enrolment_id, const std::string& reason);
  Status ExitAll(const std::vector<std::string>& enrolment_ids, const std::string& reason);
  // Touches of one poll, produced together and flushed once.
  struct Batch {
    std::vector<kafka::OutgoingMessage> out;  // notifications and touches, in order
    std::vector<FinishArgs> sent;             // touches to finish after the flush
    std::vector<DeferArgs> deferred;          // held by caps or quiet hours
    std::map<std::string, std::vector<int64_t>> sends_by_contact;  // for caps within the batch
  };
  // What the checks before one claimed touch read, loaded for a whole poll.
  struct TouchInputs {
    StatusOr<TouchState> state = TouchState{};
    // The contact's account in the registry view (when the request is known).
    std::optional<StatusOr<std::optional<leadflow::accounts::v1::AccountState>>> account;
    // Unsubscribe, suppression, recent sends (when the touch can get that far).
    std::optional<StatusOr<ContactChecks>> checks;
  };
  std::vector<TouchInputs> LoadTouchInputs(const std::vector<std::string>& touch_ids,
                                           int64_t now_ms);
  Status ProcessTouch(const std::string& touch_id, const TouchInputs& inputs, int64_t now_ms,
                      Batch& batch);
  static kafka::OutgoingMessage Notification(
      const leadflow::nurture::v1::Touch& touch,
      const std::optional<leadflow::accounts::v1::AccountState>& account);
  // The Finish of a touch of `record` (its next touch from the plan).
  FinishArgs FinishFor(const std::string& touch_id, const ParsedTouchId& parsed,
                       const std::optional<EnrolmentRecord>& record, bool sent,
                       int64_t now_ms) const;
  // Finishes them in one round trip (counting completed tracks).
  Status FinishAll(const std::vector<FinishArgs>& finishes);
  Status FinishTouch(const std::string& touch_id, bool sent, int64_t now_ms);

  std::shared_ptr<const NurturePolicy> policy_;
  NurtureStore& store_;
  registry::AccountRegistry& registry_;
  kafka::Producer& producer_;
  NurtureMetrics& metrics_;
  const Clock& clock_;
  TouchLogScan scan_;
  ProgrammeStore* programmes_ = nullptr;
  SingleContactFlags* single_contact_ = nullptr;
  std::string lease_owner_;
  std::chrono::milliseconds lease_ttl_{15000};
};

}  // namespace leadflow::nurture
