// The leads.scored handler: consume -> decide -> record -> produce.
//
// Idempotency: the decision for a lead is recorded once in Redis (SET NX,
// together with its capacity claim in one Lua script). A redelivered message
// finds the record and re-emits the SAME decision instead of picking a new rep,
// so a redelivery never claims twice. A rescore (higher revision) of a lead
// whose recorded outcome was NURTURE is routed again (compare-and-swap on the
// record); any other rescore re-emits the recorded decision, except that an
// assignment sales already closed or rejected is acknowledged silently.
//
// Capacity: the claim re-checks the chosen rep's caps inside Redis; when
// another replica took the last slot first (kNoCapacity), the engine reloads
// rep state and decides again (bounded), so no rep is ever over capacity.
//
// Batches (HandleBatch, the consumer loop's BatchHandler): a batch is routed
// in waves (domain/batch_waves.h). Per wave one pipelined read (recorded
// decisions, and the state of only the reps the wave's leads can need:
// domain/rep_needs.h), decisions in batch order on that snapshot, each rep
// claim counted into it so the next lead sees it, then every claim in one
// pipelined EVALSHA; a refused claim is decided again in the next wave and a
// second message of the same lead waits for its twin's recorded decision.
// Handle() is the same for a batch of one. Outputs embed the consumed
// leads.scored bytes instead of serialising the lead again.
//
// Threading: Handle() may be called from several consumer threads; the router
// (round-robin state) is guarded by a mutex, everything else is thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <set>

#include "common/kafka/consumer_loop.h"
#include "common/util/clock.h"
#include "routing/app/assignment_broadcaster.h"
#include "routing/app/routing_metrics.h"
#include "routing/app/routing_store.h"
#include "routing/domain/batch_waves.h"
#include "routing/domain/rep_day_cache.h"
#include "routing/domain/router.h"

namespace leadflow::routing {

class RoutingEngine {
 public:
  RoutingEngine(std::shared_ptr<const RoutingPolicy> policy, RoutingStore& store,
                AssignmentBroadcaster& broadcaster, RoutingMetrics& metrics, const Clock& clock);

  Status Handle(const kafka::ConsumedMessage& message, std::vector<kafka::OutgoingMessage>& out);
  kafka::MessageHandler Handler();
  // One result per message, in batch order.
  std::vector<kafka::HandledMessage> HandleBatch(const std::vector<kafka::ConsumedMessage>& batch);
  kafka::BatchHandler BatchHandler();

  const RoutingPolicy& policy() const { return *policy_; }

  // Tests only: runs between a wave's read and its claims, so a test can play
  // another replica taking a slot the snapshot still shows free.
  void SetBeforeClaimsForTesting(std::function<void()> hook) { before_claims_ = std::move(hook); }

  // Loads every configured rep's state (availability, open, today on the rep's
  // local day) from Redis.
  StatusOr<RepStateView> LoadReps(std::chrono::system_clock::time_point now);
  // Router::PickRep under the engine's lock (shared round-robin state), for
  // the scheduler's queue drain and SLA re-assignment.
  std::string PickRep(const leadflow::config::v1::Team& team, const RepStateView& reps,
                      std::chrono::system_clock::time_point now,
                      leadflow::routing::v1::Decision& decision,
                      const std::set<std::string>& exclude = {});
  // Claim limits of a team assignment to `rep_id` (0 = none for unknown reps).
  void FillLimits(const std::string& rep_id, std::chrono::system_clock::time_point now,
                  std::string* day, int* max_open, int* daily_cap) const;

 private:
  struct Lead;  // one leads.scored message being routed (routing_engine_batch.cc)
  std::vector<kafka::HandledMessage> Route(const std::vector<const kafka::ConsumedMessage*>& batch);
  // Parses and checks a message; false (its result set) when it is invalid.
  bool Admit(const kafka::ConsumedMessage& message, Lead& lead);
  // One wave of BatchWaves: read, re-emit or decide, claim. False when Redis
  // failed (every unfinished message then carries that status).
  bool RouteWave(std::vector<Lead>& leads, const std::vector<size_t>& wave, BatchWaves& waves,
                 std::chrono::system_clock::time_point now);
  // Decides the lead on `reps` (counting its rep claim into them) and fills
  // its claim. Under router_mu_.
  void Decide(Lead& lead, RepStateView& reps, std::chrono::system_clock::time_point now,
              ClaimRequest& claim);
  // Applies the lead's claim result: outputs, or another attempt.
  void Settle(Lead& lead, size_t index, StatusOr<ClaimResult>& claim, BatchWaves& waves);
  // The outputs of a recorded decision for `lead`'s message: the stored
  // record's; for a slim record (decision_record.h), its decision with the
  // lead the message carries, scrubbed when the contact was erased.
  Status Reemit(const StoredDecision& existing, const Lead& lead,
                std::vector<kafka::OutgoingMessage>& out);
  // Observes the decision's metrics after a successful claim.
  void Observe(const leadflow::scoring::v1::LeadScored& scored,
               const leadflow::routing::v1::Decision& d, const ClaimResult& claim);

  std::shared_ptr<const RoutingPolicy> policy_;
  RoutingStore& store_;
  AssignmentBroadcaster& broadcaster_;
  RoutingMetrics& metrics_;
  const Clock& clock_;
  mutable RepDayCache days_;  // thread-safe
  std::function<void()> before_claims_;
  std::mutex router_mu_;
  Router router_;
};

}  // namespace leadflow::routing
