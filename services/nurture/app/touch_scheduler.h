// The touch scheduler (docs/domain-rules.md §1, §7; the rule itself:
// nurture/domain/touch_eligibility.h). PollOnce() finds whether anything is
// due (one read: all an idle poll costs), confirms the scheduler lease in
// Redis, claims the due touches (one script run) and reads everything their checks need for the whole poll in a
// few round trips (LoadTouchInputs: the enrolments, requests and sent markers;
// the registry view; the contact-checks script: unsubscribe / suppression /
// recent sends); then, for each touch in order, ProcessTouch() puts its facts
// to DecideTouch and does what it answers: exit, move to the right track,
// skip, defer (caps, quiet hours) or send. The sends (accounts.notifications
// for customers, then the Touch on nurture.touches) are produced together,
// flushed once, and finished in one script run; the deferrals go back in one.
// Each touch goes out exactly once per touch id: a claimed touch sits in an
// in-flight set until finished, and TouchRecovery resolves the ones a crash
// left.
//
// Runs on one replica at a time (the scheduler lease): caps are checked, not
// reserved, so two pollers must never overlap. Thread-safe as far as its
// stores are.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/kafka/producer.h"
#include "common/registry/account_registry.h"
#include "common/util/clock.h"
#include "nurture/app/enrolment_exits.h"
#include "nurture/app/nurture_metrics.h"
#include "nurture/app/nurture_store.h"
#include "nurture/app/touch_finisher.h"
#include "nurture/domain/nurture_policy.h"
#include "nurture/domain/touch_eligibility.h"

namespace leadflow::nurture {

class TouchScheduler {
 public:
  TouchScheduler(std::shared_ptr<const NurturePolicy> policy, NurtureStore& store,
                 registry::AccountRegistry& registry, kafka::Producer& producer,
                 NurtureMetrics& metrics, const Clock& clock, TouchFinisher& finisher,
                 EnrolmentExits& exits)
      : policy_(std::move(policy)),
        store_(store),
        registry_(registry),
        producer_(producer),
        metrics_(metrics),
        clock_(clock),
        finisher_(finisher),
        exits_(exits) {}

  // Processes every touch due now (up to `limit`); returns how many were
  // handled (sent, suppressed, deferred or exited), or kUnavailable.
  StatusOr<int> PollOnce(int limit = 200);

 private:
  using Account = std::optional<leadflow::accounts::v1::AccountState>;
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
    std::optional<StatusOr<Account>> account;
    // Unsubscribe, suppression, recent sends (when the touch can get that far).
    std::optional<StatusOr<ContactChecks>> checks;
  };
  // The batch layer's reads: three round trips for the whole poll.
  std::vector<TouchInputs> LoadTouchInputs(const std::vector<std::string>& touch_ids,
                                           int64_t now_ms);
  void LoadAccounts(std::vector<TouchInputs>& inputs);
  void LoadContactChecks(const std::vector<std::string>& touch_ids,
                         std::vector<TouchInputs>& inputs, int64_t now_ms);
  // One touch: its facts, the rule's verdict, and what it says to do.
  Status ProcessTouch(const std::string& touch_id, const TouchInputs& inputs, int64_t now_ms,
                      Batch& batch);
  TouchFacts FactsOf(const ParsedTouchId& parsed, const TouchInputs& in, Batch& batch,
                     ContactFacts& contact) const;
  Status Act(const TouchVerdict& verdict, const std::string& touch_id, const ParsedTouchId& parsed,
             const TouchInputs& in, int64_t now_ms, Batch& batch);
  // Adds the touch (and its owner's notification, for a customer) to the batch.
  void Send(const std::string& touch_id, const ParsedTouchId& parsed, const TouchState& state,
            const Account& account, int64_t now_ms, Batch& batch);
  // Produces the batch's messages and flushes them once.
  Status Flush(const Batch& batch);

  std::shared_ptr<const NurturePolicy> policy_;
  NurtureStore& store_;
  registry::AccountRegistry& registry_;
  kafka::Producer& producer_;
  NurtureMetrics& metrics_;
  const Clock& clock_;
  TouchFinisher& finisher_;
  EnrolmentExits& exits_;
};

}  // namespace leadflow::nurture
