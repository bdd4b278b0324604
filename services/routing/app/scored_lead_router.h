// Routes one leads.scored message (docs/domain-rules.md §5), in the order a
// reader follows it:
//   1. Admit: parse and check the message (a lead id, a relationship: without
//      one the wall cannot be enforced).
//   2. Recall: the lead's recorded decision, if any. A redelivery re-emits
//      it, unless sales already closed or rejected the assignment
//      (ReemitUnlessFinished); a newer score of a lead sent to nurture is
//      routed again.
//   3. Decide: the domain Router on the reps' state, and the claim that
//      records the decision with its effect (the rep's load, the team queue,
//      the SLA timer, the cohort).
//   4. Settle: once the claim is applied, emit the decision's outputs; or the
//      decision another delivery recorded first; or decide again when another
//      replica took the rep's last slot.
// RoutingEngine runs each step for a whole batch, with one Redis round trip
// per step (the reads, the feedback check, the claims).
//
// Idempotency: the decision for a lead is recorded once (with its capacity
// claim, in one Lua script: lead_claims.h). A redelivered message finds the
// record and re-emits the SAME decision instead of picking a new rep. Outputs
// embed the consumed leads.scored bytes instead of serialising the lead again.
//
// Threading: thread-safe (the Router's round-robin state is RepPicker's, under
// its lock); one RoutedLead is handled by one thread at a time.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/kafka/consumer_loop.h"
#include "common/util/clock.h"
#include "routing/app/assignment_broadcaster.h"
#include "routing/app/lead_claims.h"
#include "routing/app/rep_picker.h"
#include "routing/app/routed_lead.h"
#include "routing/app/routing_metrics.h"

namespace leadflow::routing {

class ScoredLeadRouter {
 public:
  ScoredLeadRouter(std::shared_ptr<const RoutingPolicy> policy, RepPicker& picker,
                   AssignmentBroadcaster& broadcaster, RoutingMetrics& metrics, const Clock& clock);

  // 1. Parses and checks the message into `lead`; false (its result set) when
  // it is invalid.
  bool Admit(const kafka::ConsumedMessage& message, RoutedLead& lead);

  // 2. What the lead's recorded decision (its raw bytes; nullopt when none)
  // leaves to do.
  enum class Next {
    kDone,           // re-emitted, or failed (the result says which)
    kCheckFeedback,  // a rep's assignment: ReemitUnlessFinished with its last feedback
    kDecide,         // never decided, or re-routed after nurture
  };
  Next Recall(RoutedLead& lead, std::optional<std::string> recorded);
  // Re-emits the recorded assignment unless its rep's sales feedback
  // (`last_feedback`, "<kind>|<rep>") closed or rejected it; a finished lead's
  // slim record goes to `owned`, to be kept for another sales cycle.
  void ReemitUnlessFinished(RoutedLead& lead, const std::string& last_feedback,
                            std::vector<std::string>& owned);

  // 3. Decides the lead on `reps` (counting its rep claim into them, so the
  // next lead of the batch sees the rep's load as it will be) and fills the
  // claim that records the decision.
  void Decide(RoutedLead& lead, RepStateView& reps, std::chrono::system_clock::time_point now,
              ClaimRequest& claim);

  // 4. Applies the claim's result.
  enum class Settled {
    kDone,      // emitted, or failed (the result says which)
    kLostSlot,  // another replica took the rep's last slot: decide again
  };
  Settled Settle(RoutedLead& lead, StatusOr<ClaimResult>& claim);

 private:
  // The decision's rep, queue and SLA effects on its claim.
  void FillEffect(const RoutedLead& lead, int64_t sla_due_ms, RepStateView& reps,
                  std::chrono::system_clock::time_point now, ClaimRequest& claim);
  // The outputs of a recorded decision for `lead`'s message: the stored
  // record's; for a slim record (decision_record.h), its decision with the
  // lead the message carries, scrubbed when the contact was erased.
  Status Reemit(const StoredDecision& existing, const RoutedLead& lead,
                std::vector<kafka::OutgoingMessage>& out);
  // The outputs, metrics and broadcast of a decision this message recorded.
  void Emit(RoutedLead& lead, const ClaimResult& claim);
  // Observes the decision's metrics after a successful claim.
  void Observe(const leadflow::scoring::v1::LeadScored& scored,
               const leadflow::routing::v1::Decision& d, const ClaimResult& claim);

  std::shared_ptr<const RoutingPolicy> policy_;
  RepPicker& picker_;
  AssignmentBroadcaster& broadcaster_;
  RoutingMetrics& metrics_;
  const Clock& clock_;
};

}  // namespace leadflow::routing
