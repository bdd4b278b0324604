// leadflow.routing.v1.RoutingService: sales feedback, rep availability and
// the WatchAssignments stream.
//
// Accept / Reject / Close are applied through the FeedbackProcessor (Redis,
// idempotent), then any resulting event (NurtureRequested for a protected
// rejection) and the SalesFeedback itself are published and waited for
// (ProduceAndWait) before the RPC answers; a retried RPC re-publishes the same
// events. The published SalesFeedback (sales.feedback, keyed by lead id)
// carries kFeedbackOriginHeader=routing so routing's own topic consumer does
// not apply it twice; nurture and other readers see it like any feedback.
//
// WatchAssignments first sends the rep's (or team's) currently open
// assignments, then every new assignment: pushed at once when decided by this
// instance, and found within `watch_poll` by re-reading the open sets in Redis
// when another replica (or the scheduler) made it. Runs until the client
// cancels or Shutdown() is called. Thread-safe; the object must outlive the
// gRPC server.
//
// Access: once set_caller_auth() was called (main always does), every RPC
// needs a configured caller (API key or client certificate), else
// UNAUTHENTICATED; the rep or team it names must be one of the caller's
// teams, else PERMISSION_DENIED. Nothing is applied or published then.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>

#include "common/kafka/producer.h"
#include "common/util/clock.h"
#include "leadflow/routing/v1/routing.grpc.pb.h"
#include "routing/app/assignment_broadcaster.h"
#include "routing/app/caller_auth.h"
#include "routing/app/feedback_processor.h"
#include "routing/app/routing_metrics.h"
#include "routing/app/routing_store.h"
#include "routing/domain/routing_policy.h"

namespace leadflow::routing {

class RoutingGrpcService final : public leadflow::routing::v1::RoutingService::Service {
 public:
  RoutingGrpcService(std::shared_ptr<const RoutingPolicy> policy, RoutingStore& store,
                     kafka::Producer& producer, AssignmentBroadcaster& broadcaster,
                     FeedbackProcessor& feedback, const Clock& clock,
                     std::chrono::milliseconds watch_poll = std::chrono::milliseconds(500));

  grpc::Status WatchAssignments(
      grpc::ServerContext* ctx, const leadflow::routing::v1::WatchAssignmentsRequest* req,
      grpc::ServerWriter<leadflow::routing::v1::LeadAssigned>* w) override;
  grpc::Status AcceptLead(grpc::ServerContext* ctx,
                          const leadflow::routing::v1::AcceptLeadRequest* req,
                          leadflow::routing::v1::FeedbackAck* resp) override;
  grpc::Status RejectLead(grpc::ServerContext* ctx,
                          const leadflow::routing::v1::RejectLeadRequest* req,
                          leadflow::routing::v1::FeedbackAck* resp) override;
  grpc::Status CloseLead(grpc::ServerContext* ctx,
                         const leadflow::routing::v1::CloseLeadRequest* req,
                         leadflow::routing::v1::FeedbackAck* resp) override;
  grpc::Status SetRepAvailability(grpc::ServerContext* ctx,
                                  const leadflow::routing::v1::SetRepAvailabilityRequest* req,
                                  leadflow::routing::v1::SetRepAvailabilityResponse* resp) override;

  // Ends every open WatchAssignments stream (call from rt.OnShutdown).
  void Shutdown();
  // Called when a rep becomes ACTIVE (e.g. wakes the queue drain). Set before serving.
  void set_on_capacity_freed(std::function<void()> fn) { on_capacity_freed_ = std::move(fn); }
  // Turns caller authentication on. Set before serving.
  void set_caller_auth(std::shared_ptr<const CallerAuth> auth) { auth_ = std::move(auth); }

 private:
  // Applies `fb`, publishes its outputs and the feedback, fills `resp`.
  // OK when the caller may act on `rep_id` (or, if `rep_id` is empty, `team`).
  grpc::Status Authorize(const grpc::ServerContext* ctx, const std::string& rep_id,
                         const std::string& team = "") const;
  grpc::Status ApplyAndPublish(leadflow::routing::v1::SalesFeedback fb,
                               leadflow::routing::v1::FeedbackAck* resp);

  std::shared_ptr<const RoutingPolicy> policy_;
  RoutingStore& store_;
  kafka::Producer& producer_;
  AssignmentBroadcaster& broadcaster_;
  FeedbackProcessor& feedback_;
  const Clock& clock_;
  std::chrono::milliseconds watch_poll_;
  std::function<void()> on_capacity_freed_;
  std::atomic<bool> shutting_down_{false};
  std::shared_ptr<const CallerAuth> auth_;
};

}  // namespace leadflow::routing
