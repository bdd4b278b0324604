#include "routing/app/routing_grpc_service.h"

#include <set>

#include "common/kafka/topics.h"
#include "common/log/log.h"
#include "routing/app/decision_record.h"
#include "routing/app/routing_outputs.h"
#include "routing/domain/feedback.h"

namespace leadflow::routing {

namespace cv1 = leadflow::common::v1;
namespace rv1 = leadflow::routing::v1;

namespace {

constexpr auto kPublishTimeout = std::chrono::seconds(5);

grpc::Status ToGrpc(const Status& s) {
  switch (s.code()) {
    case StatusCode::kOk:
      return grpc::Status::OK;
    case StatusCode::kInvalidArgument:
      return {grpc::StatusCode::INVALID_ARGUMENT, s.message()};
    case StatusCode::kNotFound:
      return {grpc::StatusCode::NOT_FOUND, s.message()};
    case StatusCode::kFailedPrecondition:
      return {grpc::StatusCode::FAILED_PRECONDITION, s.message()};
    case StatusCode::kUnavailable:
      return {grpc::StatusCode::UNAVAILABLE, s.message()};
    default:
      return {grpc::StatusCode::INTERNAL, s.message()};
  }
}

}  // namespace

RoutingGrpcService::RoutingGrpcService(std::shared_ptr<const RoutingPolicy> policy,
                                       RoutingStore& store, kafka::Producer& producer,
                                       AssignmentBroadcaster& broadcaster,
                                       FeedbackProcessor& feedback, const Clock& clock,
                                       std::chrono::milliseconds watch_poll)
    : policy_(std::move(policy)),
      store_(store),
      producer_(producer),
      broadcaster_(broadcaster),
      feedback_(feedback),
      clock_(clock),
      watch_poll_(watch_poll) {}

void RoutingGrpcService::Shutdown() {
  shutting_down_ = true;
  broadcaster_.Close();
}

grpc::Status RoutingGrpcService::ApplyAndPublish(rv1::SalesFeedback fb, rv1::FeedbackAck* resp) {
  SetMillis(fb.mutable_at(), clock_.NowMillis());
  auto r = feedback_.Apply(fb);
  if (!r.ok()) return ToGrpc(r.status());
  // The return to nurture first: never discarded, even if the rest fails.
  for (const auto& m : r->outputs) {
    if (Status s = producer_.ProduceAndWait(m, kPublishTimeout); !s.ok()) return ToGrpc(s);
  }
  kafka::OutgoingMessage m;
  m.topic = topics::kSalesFeedback;
  m.key = fb.lead_id();
  fb.SerializeToString(&m.payload);
  m.headers.push_back({kFeedbackOriginHeader, "routing"});
  if (Status s = producer_.ProduceAndWait(m, kPublishTimeout); !s.ok()) return ToGrpc(s);
  resp->set_lead_id(fb.lead_id());
  resp->set_status(r->status);
  return grpc::Status::OK;
}

grpc::Status RoutingGrpcService::Authorize(const grpc::ServerContext* ctx,
                                           const std::string& rep_id,
                                           const std::string& team) const {
  if (!auth_) return grpc::Status::OK;
  auto caller = auth_->Authenticate(*ctx);
  if (!caller) {
    return {grpc::StatusCode::UNAUTHENTICATED,
            "an API key (x-api-key) or client certificate of a configured caller is required"};
  }
  const bool allowed = rep_id.empty() ? auth_->MayActOnTeam(*caller, team)
                                      : auth_->MayActOnRep(*caller, rep_id);
  if (!allowed) {
    return {grpc::StatusCode::PERMISSION_DENIED,
            "caller " + caller->id + " may act only on its own teams"};
  }
  return grpc::Status::OK;
}

grpc::Status RoutingGrpcService::AcceptLead(grpc::ServerContext* ctx, const rv1::AcceptLeadRequest* req,
                                            rv1::FeedbackAck* resp) {
  if (Status s = ValidateAccept(*req); !s.ok()) return ToGrpc(s);
  if (auto a = Authorize(ctx, req->rep_id()); !a.ok()) return a;
  rv1::SalesFeedback fb;
  fb.set_lead_id(req->lead_id());
  fb.set_rep_id(req->rep_id());
  fb.set_kind(rv1::ACCEPT);
  return ApplyAndPublish(std::move(fb), resp);
}

grpc::Status RoutingGrpcService::RejectLead(grpc::ServerContext* ctx, const rv1::RejectLeadRequest* req,
                                            rv1::FeedbackAck* resp) {
  if (Status s = ValidateReject(*req); !s.ok()) return ToGrpc(s);
  if (auto a = Authorize(ctx, req->rep_id()); !a.ok()) return a;
  rv1::SalesFeedback fb;
  fb.set_lead_id(req->lead_id());
  fb.set_rep_id(req->rep_id());
  fb.set_kind(rv1::REJECT);
  fb.set_reject_reason(req->reason());
  fb.set_comment(req->comment());
  return ApplyAndPublish(std::move(fb), resp);
}

grpc::Status RoutingGrpcService::CloseLead(grpc::ServerContext* ctx, const rv1::CloseLeadRequest* req,
                                           rv1::FeedbackAck* resp) {
  if (Status s = ValidateClose(*req); !s.ok()) return ToGrpc(s);
  if (auto a = Authorize(ctx, req->rep_id()); !a.ok()) return a;
  rv1::SalesFeedback fb;
  fb.set_lead_id(req->lead_id());
  fb.set_rep_id(req->rep_id());
  fb.set_kind(rv1::CLOSE);
  fb.set_outcome(req->outcome());
  fb.set_comment(req->comment());
  return ApplyAndPublish(std::move(fb), resp);
}

grpc::Status RoutingGrpcService::SetRepAvailability(grpc::ServerContext* ctx,
                                                    const rv1::SetRepAvailabilityRequest* req,
                                                    rv1::SetRepAvailabilityResponse* resp) {
  if (req->rep_id().empty()) return {grpc::StatusCode::INVALID_ARGUMENT, "rep_id: required"};
  if (auto a = Authorize(ctx, req->rep_id()); !a.ok()) return a;
  if (req->availability() == rv1::REP_AVAILABILITY_UNSPECIFIED ||
      !rv1::RepAvailability_IsValid(req->availability())) {
    return {grpc::StatusCode::INVALID_ARGUMENT, "availability: must be ACTIVE, VACATION or PAUSED"};
  }
  // On the topic first: it is what routing's state is rebuilt from after a
  // Redis loss (routing_state_rebuild.h), so Redis never holds a change the
  // topic lacks.
  rv1::RepAvailabilityChanged change;
  change.set_rep_id(req->rep_id());
  change.set_availability(req->availability());
  SetMillis(change.mutable_at(), clock_.NowMillis());
  kafka::OutgoingMessage m;
  m.topic = topics::kRepsAvailability;
  m.key = req->rep_id();
  m.payload = change.SerializeAsString();
  if (Status s = producer_.ProduceAndWait(m, kPublishTimeout); !s.ok()) return ToGrpc(s);
  if (Status s = store_.SetAvailability(req->rep_id(), req->availability()); !s.ok()) {
    return ToGrpc(s);
  }
  log::Info(
      "rep availability set",
      {{"rep", req->rep_id()}, {"availability", rv1::RepAvailability_Name(req->availability())}});
  if (req->availability() == rv1::ACTIVE && on_capacity_freed_) on_capacity_freed_();
  resp->set_rep_id(req->rep_id());
  resp->set_availability(req->availability());
  return grpc::Status::OK;
}

grpc::Status RoutingGrpcService::WatchAssignments(grpc::ServerContext* ctx,
                                                  const rv1::WatchAssignmentsRequest* req,
                                                  grpc::ServerWriter<rv1::LeadAssigned>* w) {
  if (req->rep_id().empty() == req->team().empty()) {
    return {grpc::StatusCode::INVALID_ARGUMENT, "exactly one of rep_id or team is required"};
  }
  if (auto a = Authorize(ctx, req->rep_id(), req->team()); !a.ok()) return a;
  std::vector<std::string> reps;
  if (!req->rep_id().empty()) {
    reps.push_back(req->rep_id());
  } else {
    const auto* team = policy_->FindTeam(req->team());
    if (team == nullptr) return {grpc::StatusCode::NOT_FOUND, "unknown team " + req->team()};
    for (const auto& r : team->reps()) reps.push_back(r.rep_id());
  }
  // Subscribe before reading the current state, so nothing decided in between is missed.
  auto sub = broadcaster_.Subscribe(req->rep_id(), req->team());
  struct Unsub {
    AssignmentBroadcaster& b;
    std::shared_ptr<AssignmentBroadcaster::Subscription> s;
    ~Unsub() { b.Unsubscribe(s); }
  } unsub{broadcaster_, sub};

  // Sent (lead, rep, decided_at) triples: each assignment is streamed once.
  std::set<std::string> sent;
  auto tag = [](const rv1::LeadAssigned& a) {
    return a.scored().lead().meta().lead_id() + "|" + a.decision().rep_id() + "|" +
           std::to_string(ToMillis(a.decision().decided_at()));
  };
  // Streams open assignments not sent yet; false when the client is gone.
  auto scan = [&]() -> StatusOr<bool> {
    for (const auto& rep : reps) {
      auto open = store_.OpenLeads(rep);
      if (!open.ok()) return open.status();
      for (const auto& lead_id : *open) {
        auto rec = store_.GetDecision(lead_id);
        if (!rec.ok()) return rec.status();
        if (!rec->has_value() || (*rec)->record.decision().rep_id() != rep ||
            IsSlim((*rec)->record)) {
          continue;  // not (or no longer) open with this rep
        }
        if (!sent.insert(tag((*rec)->record)).second) continue;
        if (!w->Write((*rec)->record)) return false;
      }
    }
    return true;
  };
  auto first = scan();
  if (!first.ok()) return ToGrpc(first.status());
  if (!*first) return grpc::Status::OK;
  rv1::LeadAssigned event;
  while (!ctx->IsCancelled() && !shutting_down_) {
    switch (sub->Pop(watch_poll_, &event)) {
      case AssignmentBroadcaster::Subscription::Next::kItem:
        if (!sent.insert(tag(event)).second) break;
        if (!w->Write(event)) return grpc::Status::OK;
        break;
      case AssignmentBroadcaster::Subscription::Next::kTimeout: {
        auto more = scan();  // assignments made by other replicas or the scheduler
        if (more.ok() && !*more) return grpc::Status::OK;
        break;
      }
      case AssignmentBroadcaster::Subscription::Next::kClosed:
        return grpc::Status::OK;
    }
  }
  return grpc::Status::OK;
}

}  // namespace leadflow::routing
