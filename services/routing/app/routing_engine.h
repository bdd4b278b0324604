// The leads.scored handler: consume -> decide -> record -> produce, one lead
// at a time by ScoredLeadRouter (scored_lead_router.h: the per-lead rule,
// idempotency, re-emission), batched here.
//
// A rescore (higher revision) of a lead whose recorded outcome was NURTURE is
// routed again (compare-and-swap on the record); any other rescore re-emits
// the recorded decision, except that an assignment sales already closed or
// rejected is acknowledged silently.
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
// EVALSHA; a refused claim is decided again in the next wave and a second
// message of the same lead waits for its twin's recorded decision. Handle()
// is the same for a batch of one.
//
// Threading: Handle() may be called from several consumer threads; the router
// (round-robin state) is RepPicker's, under its lock; everything else is
// thread-safe.
#pragma once

#include <functional>
#include <memory>

#include "routing/app/routing_store.h"
#include "routing/app/scored_lead_router.h"  // with the engine's dependencies
#include "routing/domain/batch_waves.h"

namespace leadflow::routing {

// Decisions per message in one batch before it is retried later (another
// replica kept taking the slots it was decided into).
inline constexpr int kMaxRoutingAttempts = 8;

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
  // The rep picking this engine shares with the scheduler (routing_scheduler.h).
  RepPicker& rep_picker() { return picker_; }

  // Tests only: runs between a wave's read and its claims, so a test can play
  // another replica taking a slot the snapshot still shows free.
  void SetBeforeClaimsForTesting(std::function<void()> hook) { before_claims_ = std::move(hook); }

 private:
  std::vector<kafka::HandledMessage> Route(const std::vector<const kafka::ConsumedMessage*>& batch);
  // One wave of BatchWaves: read, re-emit or decide, claim. False when Redis
  // failed (every unfinished message then carries that status).
  bool RouteWave(std::vector<RoutedLead>& leads, const std::vector<size_t>& wave, BatchWaves& waves,
                 std::chrono::system_clock::time_point now);
  // The wave's one read: the recorded decisions of the leads decided for the
  // first time, and the state of every rep one of them can need.
  StatusOr<RoutingSnapshot> ReadWave(const std::vector<RoutedLead>& leads,
                                     const std::vector<size_t>& wave, const BatchWaves& waves,
                                     std::chrono::system_clock::time_point now);
  // Re-emits the recorded assignments of `recorded` unless sales finished
  // them: their last feedback in one round trip, then the finished ones'
  // records renewed in one more.
  Status ReemitAssignments(std::vector<RoutedLead>& leads, const std::vector<size_t>& recorded);
  // Every claim of the wave in one round trip (Redis applies them in order,
  // each re-checking the rep's caps atomically), then each lead settled.
  Status ClaimAndSettle(std::vector<RoutedLead>& leads, const std::vector<size_t>& to_decide,
                        const std::vector<ClaimRequest>& claims, BatchWaves& waves);

  std::shared_ptr<const RoutingPolicy> policy_;
  RoutingStore& store_;
  const Clock& clock_;
  RepPicker picker_;
  ScoredLeadRouter lead_router_;
  std::function<void()> before_claims_;
};

}  // namespace leadflow::routing
