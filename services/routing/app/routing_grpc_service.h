// leadflow.routing.v1.RoutingService: sales feedback, rep availability and
// the WatchAssignments stream.
//
// Feedback is published on sales.feedback (keyed by lead id) and waited for
// (ProduceAndWait) before the RPC answers. Reject and Close release the rep's
// open-lead slot (idempotently). An ENTERPRISE/GOVERNMENT/INFRASTRUCTURE lead
// rejected with a protected reason is sent back to nurture with the reason:
// never discarded.
//
// WatchAssignments first sends the rep's (or team's) currently open
// assignments, then every new assignment decided by this instance, until the
// client cancels or Shutdown() is called. Thread-safe; the object must outlive
// the gRPC server.
#pragma once

#include <atomic>
#include <memory>

#include "common/kafka/producer.h"
#include "common/util/clock.h"
#include "leadflow/routing/v1/routing.grpc.pb.h"
#include "routing/app/assignment_broadcaster.h"
#include "routing/app/routing_metrics.h"
#include "routing/app/routing_store.h"
#include "routing/domain/routing_policy.h"

namespace leadflow::routing {

class RoutingGrpcService final : public leadflow::routing::v1::RoutingService::Service {
 public:
  RoutingGrpcService(std::shared_ptr<const RoutingPolicy> policy, RoutingStore& store,
                     kafka::Producer& producer, AssignmentBroadcaster& broadcaster,
                     RoutingMetrics& metrics, const Clock& clock);

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

 private:
  // Loads the recorded assignment and checks that `rep_id` holds it.
  grpc::Status LoadAssignment(const std::string& lead_id, const std::string& rep_id,
                              leadflow::routing::v1::LeadAssigned* out);
  grpc::Status Publish(const leadflow::routing::v1::SalesFeedback& fb);
  grpc::Status ReleaseRep(const leadflow::routing::v1::LeadAssigned& rec);

  std::shared_ptr<const RoutingPolicy> policy_;
  RoutingStore& store_;
  kafka::Producer& producer_;
  AssignmentBroadcaster& broadcaster_;
  RoutingMetrics& metrics_;
  const Clock& clock_;
  std::atomic<bool> shutting_down_{false};
};

}  // namespace leadflow::routing
