// leadflow.routing.v1.RoutingService: sales feedback, rep availability and
// out-of-office windows, and the WatchAssignments stream.
//
// Accept / Reject / Close / AdvanceStage are applied through the FeedbackProcessor (Redis,
// idempotent), then any resulting event (NurtureRequested for a protected
// rejection, DealStageChanged for a stage move) and the SalesFeedback itself
// are published and waited for
// (ProduceAndWait) before the RPC answers; a retried RPC re-publishes the same
// events. The published SalesFeedback (sales.feedback, keyed by lead id)
// carries kFeedbackOriginHeader=routing so routing's own topic consumer does
// not apply it twice; nurture and other readers see it like any feedback.
//
// WatchAssignments first sends the rep's (or team's) currently open leads,
// then every change to the leads it holds: new assignments (and, on a team
// stream, queued leads), accepts, rejections, closes and re-assignments
// (to the rep a lead was taken from: SALES_REASSIGNED_AWAY). Each event
// carries LeadAssigned.change: the lead id, its sales state and a version
// that orders the events of one lead. Changes made by this instance are
// pushed at once; those made by another replica, the scheduler or
// sales.feedback.<team> are found within `watch_poll` by re-reading the open
// sets and the followed leads in Redis. Runs until the client cancels or
// Shutdown() is called. Thread-safe; the object must outlive the gRPC server.
//
// GetLead answers one lead of the caller's teams (NOT_FOUND, one text, for an
// unknown lead and another team's: docs/security.md "No oracles");
// ListOpenLeads the leads open with a rep, or a team's reps and its queue.
//
// Access: once set_caller_auth() was called (main always does), every RPC
// needs a configured caller (API key or client certificate), else
// UNAUTHENTICATED; the rep or team it names (or, for GetLead, the lead's
// team) must be one of the caller's teams, else PERMISSION_DENIED (GetLead:
// NOT_FOUND). Nothing is applied or published then.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/kafka/producer.h"
#include "common/util/clock.h"
#include "leadflow/routing/v1/routing.grpc.pb.h"
#include "routing/app/assignment_broadcaster.h"
#include "routing/app/caller_auth.h"
#include "routing/app/feedback_processor.h"
#include "routing/app/out_of_office_processor.h"
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
  grpc::Status AdvanceStage(grpc::ServerContext* ctx,
                            const leadflow::routing::v1::AdvanceStageRequest* req,
                            leadflow::routing::v1::FeedbackAck* resp) override;
  grpc::Status SetRepAvailability(grpc::ServerContext* ctx,
                                  const leadflow::routing::v1::SetRepAvailabilityRequest* req,
                                  leadflow::routing::v1::SetRepAvailabilityResponse* resp) override;
  // Publishes the change on reps.out-of-office, then applies it (the
  // OutOfOfficeProcessor); UNAVAILABLE until set_out_of_office() was called.
  grpc::Status SetRepOutOfOffice(grpc::ServerContext* ctx,
                                 const leadflow::routing::v1::SetRepOutOfOfficeRequest* req,
                                 leadflow::routing::v1::SetRepOutOfOfficeResponse* resp) override;
  grpc::Status GetLead(grpc::ServerContext* ctx, const leadflow::routing::v1::GetLeadRequest* req,
                       leadflow::routing::v1::LeadView* resp) override;
  grpc::Status ListOpenLeads(grpc::ServerContext* ctx,
                             const leadflow::routing::v1::ListOpenLeadsRequest* req,
                             leadflow::routing::v1::ListOpenLeadsResponse* resp) override;

  // Ends every open WatchAssignments stream (call from rt.OnShutdown).
  void Shutdown();
  // Called when a rep becomes ACTIVE (e.g. wakes the queue drain). Set before serving.
  void set_on_capacity_freed(std::function<void()> fn) { on_capacity_freed_ = std::move(fn); }
  // Turns caller authentication on. Set before serving.
  void set_caller_auth(std::shared_ptr<const CallerAuth> auth) { auth_ = std::move(auth); }
  // Where out-of-office changes are applied. Set before serving.
  void set_out_of_office(OutOfOfficeProcessor* p) { out_of_office_ = p; }

 private:
  // OK with `*caller` set when a configured caller made the call; OK with
  // it unset when authentication is off; else UNAUTHENTICATED.
  grpc::Status Authenticate(const grpc::ServerContext* ctx, std::optional<Caller>* caller) const;
  // OK when the caller may act on `rep_id` (or, if `rep_id` is empty, `team`).
  grpc::Status Authorize(const grpc::ServerContext* ctx, const std::string& rep_id,
                         const std::string& team = "") const;
  // Applies `fb`, publishes its outputs and the feedback, fills `resp`.
  grpc::Status ApplyAndPublish(leadflow::routing::v1::SalesFeedback fb,
                               leadflow::routing::v1::FeedbackAck* resp);

  // The reps of a request's rep_id or team (kNotFound: unknown team).
  StatusOr<std::vector<std::string>> RepsOf(
      const leadflow::routing::v1::ListOpenLeadsRequest& req) const;
  static leadflow::routing::v1::LeadView ViewOf(const leadflow::routing::v1::LeadAssigned& record,
                                                const FeedbackTags& tags);

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
  OutOfOfficeProcessor* out_of_office_ = nullptr;
};

}  // namespace leadflow::routing
