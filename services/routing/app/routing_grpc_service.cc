#include "routing/app/routing_grpc_service.h"

#include "common/kafka/topics.h"
#include "common/log/log.h"
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

void SetNow(google::protobuf::Timestamp* ts, int64_t ms) {
  ts->set_seconds(ms / 1000);
  ts->set_nanos(static_cast<int32_t>(ms % 1000) * 1000000);
}

}  // namespace

RoutingGrpcService::RoutingGrpcService(std::shared_ptr<const RoutingPolicy> policy,
                                       RoutingStore& store, kafka::Producer& producer,
                                       AssignmentBroadcaster& broadcaster, RoutingMetrics& metrics,
                                       const Clock& clock)
    : policy_(std::move(policy)),
      store_(store),
      producer_(producer),
      broadcaster_(broadcaster),
      metrics_(metrics),
      clock_(clock) {}

void RoutingGrpcService::Shutdown() {
  shutting_down_ = true;
  broadcaster_.Close();
}

grpc::Status RoutingGrpcService::LoadAssignment(const std::string& lead_id,
                                                const std::string& rep_id, rv1::LeadAssigned* out) {
  auto rec = store_.GetDecision(lead_id);
  if (!rec.ok()) return ToGrpc(rec.status());
  if (!rec->has_value()) {
    return {grpc::StatusCode::NOT_FOUND, "no routing decision for lead " + lead_id};
  }
  const auto& d = (*rec)->record.decision();
  if (d.outcome() != rv1::ASSIGNED && d.outcome() != rv1::NAMED_OWNER &&
      d.outcome() != rv1::REASSIGNED) {
    return {grpc::StatusCode::FAILED_PRECONDITION, "lead " + lead_id +
                                                       " is not assigned to a rep (" +
                                                       rv1::RoutingOutcome_Name(d.outcome()) + ")"};
  }
  if (d.rep_id() != rep_id) {
    return {grpc::StatusCode::FAILED_PRECONDITION,
            "lead " + lead_id + " is assigned to another rep"};
  }
  *out = (*rec)->record;
  return grpc::Status::OK;
}

grpc::Status RoutingGrpcService::Publish(const rv1::SalesFeedback& fb) {
  kafka::OutgoingMessage m;
  m.topic = topics::kSalesFeedback;
  m.key = fb.lead_id();
  fb.SerializeToString(&m.payload);
  return ToGrpc(producer_.ProduceAndWait(m, kPublishTimeout));
}

grpc::Status RoutingGrpcService::ReleaseRep(const rv1::LeadAssigned& rec) {
  int64_t open_after = 0;
  auto released =
      store_.Release(rec.scored().lead().meta().lead_id(), rec.decision().rep_id(), &open_after);
  if (!released.ok()) return ToGrpc(released.status());
  if (*released) {
    metrics_.RepOpenLeads(rec.decision().team(), rec.decision().rep_id(),
                          static_cast<double>(open_after));
  }
  return grpc::Status::OK;
}

grpc::Status RoutingGrpcService::AcceptLead(grpc::ServerContext*, const rv1::AcceptLeadRequest* req,
                                            rv1::FeedbackAck* resp) {
  if (Status s = ValidateAccept(*req); !s.ok()) return ToGrpc(s);
  rv1::LeadAssigned rec;
  if (auto g = LoadAssignment(req->lead_id(), req->rep_id(), &rec); !g.ok()) return g;
  rv1::SalesFeedback fb;
  fb.set_lead_id(req->lead_id());
  fb.set_rep_id(req->rep_id());
  fb.set_kind(rv1::ACCEPT);
  SetNow(fb.mutable_at(), clock_.NowMillis());
  if (auto g = Publish(fb); !g.ok()) return g;
  metrics_.Feedback("accept", "none");
  resp->set_lead_id(req->lead_id());
  resp->set_status("accepted");
  return grpc::Status::OK;
}

grpc::Status RoutingGrpcService::RejectLead(grpc::ServerContext*, const rv1::RejectLeadRequest* req,
                                            rv1::FeedbackAck* resp) {
  if (Status s = ValidateReject(*req); !s.ok()) return ToGrpc(s);
  rv1::LeadAssigned rec;
  if (auto g = LoadAssignment(req->lead_id(), req->rep_id(), &rec); !g.ok()) return g;
  const bool to_nurture =
      RejectionReturnsToNurture(*policy_, rec.scored().segment(), req->reason()) &&
      rec.scored().lead().meta().relationship() == cv1::PROSPECT;
  if (to_nurture) {
    // Publish the return to nurture first: if it fails, nothing was released
    // and the caller can retry; never discarded.
    rv1::NurtureRequested n;
    *n.mutable_scored() = rec.scored();
    *n.mutable_decision() = rec.decision();
    n.mutable_decision()->set_outcome(rv1::NURTURE);
    SetNow(n.mutable_decision()->mutable_decided_at(), clock_.NowMillis());
    auto* step = n.mutable_decision()->add_path();
    step->set_rule_id("feedback.protected_reject");
    step->set_matched(true);
    step->set_detail(cv1::ReasonCode_Name(req->reason()) + " on a " +
                     cv1::Segment_Name(rec.scored().segment()) + " lead: back to nurture");
    n.set_reason(req->reason());
    const auto& meta = rec.scored().lead().meta();
    auto m = MakeEvent(topics::kLeadsNurture, meta, meta.lead_id(), n);
    if (Status s = producer_.ProduceAndWait(m, kPublishTimeout); !s.ok()) return ToGrpc(s);
  }
  rv1::SalesFeedback fb;
  fb.set_lead_id(req->lead_id());
  fb.set_rep_id(req->rep_id());
  fb.set_kind(rv1::REJECT);
  fb.set_reject_reason(req->reason());
  fb.set_comment(req->comment());
  SetNow(fb.mutable_at(), clock_.NowMillis());
  if (auto g = Publish(fb); !g.ok()) return g;
  if (auto g = ReleaseRep(rec); !g.ok()) return g;
  metrics_.Feedback("reject", cv1::ReasonCode_Name(req->reason()));
  resp->set_lead_id(req->lead_id());
  resp->set_status(to_nurture ? "returned to nurture: " + cv1::ReasonCode_Name(req->reason())
                              : "rejected: " + cv1::ReasonCode_Name(req->reason()));
  return grpc::Status::OK;
}

grpc::Status RoutingGrpcService::CloseLead(grpc::ServerContext*, const rv1::CloseLeadRequest* req,
                                           rv1::FeedbackAck* resp) {
  if (Status s = ValidateClose(*req); !s.ok()) return ToGrpc(s);
  rv1::LeadAssigned rec;
  if (auto g = LoadAssignment(req->lead_id(), req->rep_id(), &rec); !g.ok()) return g;
  rv1::SalesFeedback fb;
  fb.set_lead_id(req->lead_id());
  fb.set_rep_id(req->rep_id());
  fb.set_kind(rv1::CLOSE);
  fb.set_outcome(req->outcome());
  fb.set_comment(req->comment());
  SetNow(fb.mutable_at(), clock_.NowMillis());
  if (auto g = Publish(fb); !g.ok()) return g;
  if (auto g = ReleaseRep(rec); !g.ok()) return g;
  metrics_.Feedback("close", rv1::DealOutcome_Name(req->outcome()));
  resp->set_lead_id(req->lead_id());
  resp->set_status("closed: " + rv1::DealOutcome_Name(req->outcome()));
  return grpc::Status::OK;
}

grpc::Status RoutingGrpcService::SetRepAvailability(grpc::ServerContext*,
                                                    const rv1::SetRepAvailabilityRequest* req,
                                                    rv1::SetRepAvailabilityResponse* resp) {
  if (req->rep_id().empty()) return {grpc::StatusCode::INVALID_ARGUMENT, "rep_id: required"};
  if (req->availability() == rv1::REP_AVAILABILITY_UNSPECIFIED ||
      !rv1::RepAvailability_IsValid(req->availability())) {
    return {grpc::StatusCode::INVALID_ARGUMENT, "availability: must be ACTIVE, VACATION or PAUSED"};
  }
  if (Status s = store_.SetAvailability(req->rep_id(), req->availability()); !s.ok()) {
    return ToGrpc(s);
  }
  log::Info(
      "rep availability set",
      {{"rep", req->rep_id()}, {"availability", rv1::RepAvailability_Name(req->availability())}});
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

  for (const auto& rep : reps) {
    auto open = store_.OpenLeads(rep);
    if (!open.ok()) return ToGrpc(open.status());
    for (const auto& lead_id : *open) {
      auto rec = store_.GetDecision(lead_id);
      if (!rec.ok()) return ToGrpc(rec.status());
      if (rec->has_value() && !w->Write((*rec)->record)) return grpc::Status::OK;
    }
  }
  rv1::LeadAssigned event;
  while (!ctx->IsCancelled() && !shutting_down_) {
    switch (sub->Pop(std::chrono::milliseconds(500), &event)) {
      case AssignmentBroadcaster::Subscription::Next::kItem:
        if (!w->Write(event)) return grpc::Status::OK;
        break;
      case AssignmentBroadcaster::Subscription::Next::kTimeout:
        break;
      case AssignmentBroadcaster::Subscription::Next::kClosed:
        return grpc::Status::OK;
    }
  }
  return grpc::Status::OK;
}

}  // namespace leadflow::routing
