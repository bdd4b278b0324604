// The leads.scored handler: consume -> decide -> record -> produce.
//
// Idempotency: the decision for a lead is recorded once in Redis (SET NX,
// together with its capacity claim in one Lua script). A redelivered message
// finds the record and re-emits the SAME decision instead of picking a new rep,
// so a redelivery never claims twice. A rescore (higher revision) of a lead
// whose recorded outcome was NURTURE is routed again (compare-and-swap on the
// record); any other rescore re-emits the recorded decision.
//
// Threading: Handle() may be called from several consumer threads; the router
// (round-robin state) is guarded by a mutex, everything else is thread-safe.
#pragma once

#include <memory>
#include <mutex>

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

 private:
  std::shared_ptr<const RoutingPolicy> policy_;
  RoutingStore& store_;
  AssignmentBroadcaster& broadcaster_;
  RoutingMetrics& metrics_;
  const Clock& clock_;
  std::mutex router_mu_;
  Router router_;
};

}  // namespace leadflow::routing
