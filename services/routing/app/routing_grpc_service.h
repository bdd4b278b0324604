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
#include <set>
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
  using Context = grpc::ServerContext;

  RoutingGrpcService(std::shared_ptr<const RoutingPolicy> policy, RoutingStore& store,
                     kafka::Producer& producer, AssignmentBroadcaster& broadcaster,
                     FeedbackProcessor& feedback, const Clock& clock,
                     std::chrono::milliseconds watch_poll = std::chrono::milliseconds(500));

  grpc::Status WatchAssignments(Context*, const v1::WatchAssignmentsRequest*,
                                grpc::ServerWriter<v1::LeadAssigned>*) override;
  // Sales feedback: applied, published, then answered (above).
  grpc::Status AcceptLead(Context*, const v1::AcceptLeadRequest*, v1::FeedbackAck*) override;
  grpc::Status RejectLead(Context*, const v1::RejectLeadRequest*, v1::FeedbackAck*) override;
  grpc::Status CloseLead(Context*, const v1::CloseLeadRequest*, v1::FeedbackAck*) override;
  grpc::Status AdvanceStage(Context*, const v1::AdvanceStageRequest*, v1::FeedbackAck*) override;
  grpc::Status SetRepAvailability(Context*, const v1::SetRepAvailabilityRequest*,
                                  v1::SetRepAvailabilityResponse*) override;
  // Publishes the change on reps.out-of-office, then applies it (the
  // OutOfOfficeProcessor); UNAVAILABLE until set_out_of_office() was called.
  grpc::Status SetRepOutOfOffice(Context*, const v1::SetRepOutOfOfficeRequest*,
                                 v1::SetRepOutOfOfficeResponse*) override;
  grpc::Status GetLead(Context*, const v1::GetLeadRequest*, v1::LeadView*) override;
  grpc::Status ListOpenLeads(Context*, const v1::ListOpenLeadsRequest*,
                             v1::ListOpenLeadsResponse*) override;

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
  // A feedback RPC: `valid` (the request's validation), then the caller may
  // act on `fb`'s rep, then ApplyAndPublish.
  grpc::Status AnswerFeedback(const Context* ctx, const Status& valid, v1::SalesFeedback fb,
                              v1::FeedbackAck* resp);
  // Applies `fb`, publishes its outputs and the feedback, fills `resp`.
  grpc::Status ApplyAndPublish(v1::SalesFeedback fb, v1::FeedbackAck* resp);

  // One WatchAssignments stream: its reps, what it has sent, its writer.
  struct Watch;
  // Streams what changed in Redis since the last scan: open leads not sent
  // yet (or accepted since), and what became of followed leads that left the
  // open sets (made by other replicas, the scheduler or sales.feedback).
  // False when the client is gone.
  StatusOr<bool> Scan(Watch& watch);
  StatusOr<bool> ScanOpen(Watch& watch, std::set<std::string>& seen);
  StatusOr<bool> ScanGone(Watch& watch, const std::set<std::string>& seen);
  // Streams this instance's changes as they come, and scans every
  // `watch_poll`, until the client or the service ends the stream.
  grpc::Status Follow(Context* ctx, AssignmentBroadcaster::Subscription& sub, Watch& watch);

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
