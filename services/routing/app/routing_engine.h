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
// Threading: Handle() may be called from several consumer threads; the router
// (round-robin state) is guarded by a mutex, everything else is thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <set>

#include "common/kafka/consumer_loop.h"
#include "common/util/clock.h"
#include "routing/app/assignment_broadcaster.h"
#include "routing/app/routing_metrics.h"
#include "routing/app/routing_store.h"
#include "routing/domain/router.h"

namespace leadflow::routing {

class RoutingEngine {
 public:
  RoutingEngine(std::shared_ptr<const RoutingPolicy> policy, RoutingStore& store,
                AssignmentBroadcaster& broadcaster, RoutingMetrics& metrics, const Clock& clock);

  Status Handle(const kafka::ConsumedMessage& message, std::vector<kafka::OutgoingMessage>& out);
  kafka::MessageHandler Handler();

  const RoutingPolicy& policy() const { return *policy_; }

  // Loads every configured rep's state (availability, open, today on the rep's
  // local day) from Redis.
  StatusOr<RepStateView> LoadReps(std::chrono::system_clock::time_point now,
                                  const std::string& extra_rep = "");
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
  // Observes the decision's metrics after a successful claim.
  void Observe(const leadflow::routing::v1::LeadAssigned& record, const ClaimResult& claim);

  std::shared_ptr<const RoutingPolicy> policy_;
  RoutingStore& store_;
  AssignmentBroadcaster& broadcaster_;
  RoutingMetrics& metrics_;
  const Clock& clock_;
  std::mutex router_mu_;
  Router router_;
};

}  // namespace leadflow::routing
