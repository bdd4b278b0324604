// Nurture, composed: each input has its own handler, and the engine only
// makes them and hands them to the consumer loops and the scheduler.
//
//   leads.nurture, accounts.inbound             EnrolmentHandler (a batch at a time)
//   accounts.changes (the registry view)        AccountChangeHandler
//   leads.assigned, engagement.events,
//   sales.feedback                              ExitEventHandler
//   the scheduler (one replica: the lease)      TouchRecovery, then TouchScheduler
//                                               polls; ProgrammeEnroller scans
//   exits, unsubscribes, migrations             EnrolmentExits
//
// A newcomer following one lead reads EnrolmentHandler::Decide (does it enrol,
// in which track), then TouchScheduler::ProcessTouch and the rule it applies,
// nurture/domain/touch_eligibility.h (may this touch go out now).
//
// Replicas: the consumers scale out like every service's. The scheduler runs
// on one replica at a time, the holder of a Redis lease (SetSchedulerLease):
// recovery treats every in-flight touch as left by a crash, and caps are
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
#include <chrono>
#include <memory>

#include "common/kafka/consumer_loop.h"
#include "common/kafka/producer.h"
#include "common/registry/account_registry.h"
#include "common/util/clock.h"
#include "common/view/topic_view.h"
#include "nurture/app/account_change_handler.h"
#include "nurture/app/enrolment_exits.h"
#include "nurture/app/enrolment_handler.h"
#include "nurture/app/exit_event_handler.h"
#include "nurture/app/nurture_metrics.h"
#include "nurture/app/nurture_store.h"
#include "nurture/app/programme_enroller.h"
#include "nurture/app/programme_store.h"
#include "nurture/app/touch_finisher.h"
#include "nurture/app/touch_recovery.h"
#include "nurture/app/touch_scheduler.h"
#include "nurture/domain/nurture_policy.h"

namespace leadflow::nurture {

class SingleContactFlags;

class NurtureEngine {
 public:
  NurtureEngine(std::shared_ptr<const NurturePolicy> policy, NurtureStore& store,
                registry::AccountRegistry& registry, kafka::Producer& producer,
                NurtureMetrics& metrics, const Clock& clock, TouchLogScan scan = nullptr);
  NurtureEngine(const NurtureEngine&) = delete;
  NurtureEngine& operator=(const NurtureEngine&) = delete;

  // One leads.nurture or accounts.inbound record (a batch of one).
  Status HandleNurtureRequest(const kafka::ConsumedMessage& message,
                              std::vector<kafka::OutgoingMessage>& out);
  Status HandleCustomerInbound(const kafka::ConsumedMessage& message,
                               std::vector<kafka::OutgoingMessage>& out) {
    return HandleNurtureRequest(message, out);  // the handler tells them by topic
  }
  // Back-compat name for HandleNurtureRequest.
  Status Handle(const kafka::ConsumedMessage& message, std::vector<kafka::OutgoingMessage>& out) {
    return HandleNurtureRequest(message, out);
  }
  // leads.nurture and accounts.inbound, a consumer batch at a time (the service's).
  std::vector<kafka::HandledMessage> HandleEnrolments(
      const std::vector<kafka::ConsumedMessage>& batch) {
    return enrolment_.HandleBatch(batch);
  }
  // One accounts.changes record of the registry view's build `epoch`.
  Status HandleAccountChange(const std::string& epoch, const kafka::ConsumedMessage& message) {
    return account_changes_.Handle(epoch, message);
  }
  Status HandleExitEvent(const kafka::ConsumedMessage& message,
                         std::vector<kafka::OutgoingMessage>& out) {
    return exit_events_.Handle(message, out);
  }
  kafka::MessageHandler Handler();  // leads.nurture and accounts.inbound, one at a time
  kafka::BatchHandler EnrolmentsHandler();
  view::ApplyFn AccountChangesApplier();  // accounts.changes, for the registry view
  kafka::MessageHandler ExitsHandler();   // leads.assigned, engagement.events, sales.feedback

  // EnrolmentExits::Unsubscribe.
  StatusOr<int> Unsubscribe(const std::string& contact_id, const std::string& reason) {
    return exits_.Unsubscribe(contact_id, reason);
  }
  // TouchRecovery::Recover: called by RunScheduler first.
  StatusOr<int> Recover() { return recovery_.Recover(); }
  // TouchScheduler::PollOnce.
  StatusOr<int> PollOnce(int limit = 200) { return scheduler_.PollOnce(limit); }
  // Run the scheduler only while holding the lease as `instance_id` (renewed
  // every poll, expiring after `ttl`). Without this call it always runs
  // (single-process tests). Call before RunScheduler.
  void SetSchedulerLease(std::string instance_id, std::chrono::milliseconds ttl) {
    lease_owner_ = std::move(instance_id);
    lease_ttl_ = ttl;
  }
  // While leader: Recover() once, then PollOnce every `interval` until `stop`,
  // and the programmes every programme_scan_seconds.
  void RunScheduler(const std::atomic<bool>& stop,
                    std::chrono::milliseconds interval = std::chrono::milliseconds(100));

  const NurturePolicy& policy() const { return *policy_; }

  // Proactive customer programmes (the policy's programmes) run only with a
  // programme store; call before the consumers and the scheduler start.
  void SetProgrammeStore(ProgrammeStore* programmes) {
    account_changes_.SetProgrammeStore(programmes);
    programmes_.SetProgrammeStore(programmes);
  }
  // EnrolmentHandler::SetSingleContactFlags.
  void SetSingleContactFlags(SingleContactFlags* flags) { enrolment_.SetSingleContactFlags(flags); }
  // ProgrammeEnroller::EnrolProgrammes.
  StatusOr<int> EnrolProgrammes() { return programmes_.EnrolProgrammes(); }

 private:
  // Whether this replica may run the scheduler now (holds or took the lease);
  // logs a change of leadership.
  bool HoldLease(bool was_leader);
  // The programmes' scan when due; returns when the next one is.
  int64_t ScanProgrammes(int64_t next_scan_ms);

  std::shared_ptr<const NurturePolicy> policy_;
  NurtureStore& store_;
  const Clock& clock_;
  EnrolmentHandler enrolment_;
  EnrolmentExits exits_;
  AccountChangeHandler account_changes_;
  ExitEventHandler exit_events_;
  TouchFinisher finisher_;
  TouchRecovery recovery_;
  TouchScheduler scheduler_;
  ProgrammeEnroller programmes_;
  std::string lease_owner_;
  std::chrono::milliseconds lease_ttl_{15000};
};

}  // namespace leadflow::nurture
