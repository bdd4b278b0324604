#include "routing/app/routing_grpc_service.h"

#include <algorithm>
#include <map>
#include <set>

#include "common/kafka/topics.h"
#include "common/log/log.h"
#include "common/util/copy_fields.h"
#include "routing/app/decision_record.h"
#include "routing/app/routing_outputs.h"
#include "routing/domain/feedback.h"
#include "routing/domain/sales_state.h"
#include "routing/domain/watched_leads.h"

namespace leadflow::routing {

namespace cv1 = leadflow::common::v1;
namespace rv1 = leadflow::routing::v1;

namespace {

constexpr auto kPublishTimeout = std::chrono::seconds(5);
// ListOpenLeads answers at most this many leads.
constexpr size_t kMaxListed = 500;

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

// The event for a record: its change as a stream of `rep_id` (empty: a
// team's stream) sees it.
rv1::LeadAssigned WithChange(rv1::LeadAssigned record, const FeedbackTags& tags,
                             const std::string& rep_id) {
  *record.mutable_change() = LeadChangeOf(record, tags, rep_id);
  if (IsSlim(record) || record.change().state() == rv1::SALES_REASSIGNED_AWAY) {
    rv1::LeadChange c = record.change();
    record = Slim(record);  // the lead is no longer this stream's to work on
    *record.mutable_change() = c;
  }
  return record;
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
  if (r->republish) {
    kafka::OutgoingMessage m;
    m.topic = topics::kSalesFeedback;
    m.key = fb.lead_id();
    // A stage's entry time for the state rebuild: the move's version.
    if (fb.kind() == rv1::STAGE) SetMillis(fb.mutable_at(), r->version);
    fb.SerializeToString(&m.payload);
    m.headers.push_back({kFeedbackOriginHeader, "routing"});
    if (Status s = producer_.ProduceAndWait(m, kPublishTimeout); !s.ok()) return ToGrpc(s);
  }
  resp->set_lead_id(fb.lead_id());
  resp->set_status(r->status);
  resp->set_outcome(r->outcome);
  resp->set_state(r->state);
  resp->set_already_applied(r->redelivered);
  resp->set_version(r->version);
  resp->set_stage(r->stage);
  resp->set_win_probability_pct(r->win_probability_pct);
  if (!r->redelivered) broadcaster_.Publish(r->event);
  return grpc::Status::OK;
}

grpc::Status RoutingGrpcService::Authenticate(const grpc::ServerContext* ctx,
                                              std::optional<Caller>* caller) const {
  if (!auth_) return grpc::Status::OK;
  *caller = auth_->Authenticate(*ctx);
  if (!*caller) {
    return {grpc::StatusCode::UNAUTHENTICATED,
            "an API key (x-api-key) or client certificate of a configured caller is required"};
  }
  return grpc::Status::OK;
}

grpc::Status RoutingGrpcService::Authorize(const grpc::ServerContext* ctx,
                                           const std::string& rep_id,
                                           const std::string& team) const {
  std::optional<Caller> caller;
  if (auto a = Authenticate(ctx, &caller); !a.ok() || !caller) return a;
  const bool allowed =
      rep_id.empty() ? auth_->MayActOnTeam(*caller, team) : auth_->MayActOnRep(*caller, rep_id);
  if (!allowed) {
    return {grpc::StatusCode::PERMISSION_DENIED,
            "caller " + caller->id + " may act only on its own teams"};
  }
  return grpc::Status::OK;
}

grpc::Status RoutingGrpcService::AnswerFeedback(const Context* ctx, const Status& valid,
                                                rv1::SalesFeedback fb, rv1::FeedbackAck* resp) {
  if (!valid.ok()) return ToGrpc(valid);
  if (auto a = Authorize(ctx, fb.rep_id()); !a.ok()) return a;
  return ApplyAndPublish(std::move(fb), resp);
}

grpc::Status RoutingGrpcService::AcceptLead(Context* ctx, const rv1::AcceptLeadRequest* req,
                                            rv1::FeedbackAck* resp) {
  return AnswerFeedback(ctx, ValidateAccept(*req), FeedbackOf(*req, rv1::ACCEPT), resp);
}

grpc::Status RoutingGrpcService::RejectLead(Context* ctx, const rv1::RejectLeadRequest* req,
                                            rv1::FeedbackAck* resp) {
  return AnswerFeedback(ctx, ValidateReject(*req), FeedbackOf(*req, rv1::REJECT), resp);
}

grpc::Status RoutingGrpcService::CloseLead(Context* ctx, const rv1::CloseLeadRequest* req,
                                           rv1::FeedbackAck* resp) {
  return AnswerFeedback(ctx, ValidateClose(*req), FeedbackOf(*req, rv1::CLOSE), resp);
}

grpc::Status RoutingGrpcService::AdvanceStage(Context* ctx, const rv1::AdvanceStageRequest* req,
                                              rv1::FeedbackAck* resp) {
  return AnswerFeedback(ctx, ValidateAdvanceStage(*req), FeedbackOf(*req, rv1::STAGE), resp);
}

grpc::Status RoutingGrpcService::SetRepAvailability(grpc::ServerContext* ctx,
                                                    const rv1::SetRepAvailabilityRequest* req,
                                                    rv1::SetRepAvailabilityResponse* resp) {
  if (req->rep_id().empty()) return {grpc::StatusCode::INVALID_ARGUMENT, "rep_id: required"};
  if (auto a = Authorize(ctx, req->rep_id()); !a.ok()) return a;
  if (req->availability() == rv1::VACATION) {
    return {grpc::StatusCode::INVALID_ARGUMENT,
            "availability: VACATION is replaced by out-of-office windows (SetRepOutOfOffice)"};
  }
  if (req->availability() == rv1::REP_AVAILABILITY_UNSPECIFIED ||
      !rv1::RepAvailability_IsValid(req->availability())) {
    return {grpc::StatusCode::INVALID_ARGUMENT, "availability: must be ACTIVE or PAUSED"};
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
  if (Status s = store_.rep_loads.SetAvailability(req->rep_id(), req->availability()); !s.ok()) {
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

rv1::LeadView RoutingGrpcService::ViewOf(const rv1::LeadAssigned& record,
                                         const FeedbackTags& tags) {
  // The lead's change as a team sees it, under the same field names; the
  // stage is the last one even after a close.
  rv1::LeadView v;
  proto::CopyFieldsByName(LeadChangeOf(record, tags, ""), v);
  SetDealStage(tags, v);
  *v.mutable_record() = record;
  return v;
}

grpc::Status RoutingGrpcService::SetRepOutOfOffice(grpc::ServerContext* ctx,
                                                   const rv1::SetRepOutOfOfficeRequest* req,
                                                   rv1::SetRepOutOfOfficeResponse* resp) {
  if (req->rep_id().empty()) return {grpc::StatusCode::INVALID_ARGUMENT, "rep_id: required"};
  if (auto a = Authorize(ctx, req->rep_id()); !a.ok()) return a;
  if (out_of_office_ == nullptr) {
    return {grpc::StatusCode::UNAVAILABLE, "out-of-office windows are not served here"};
  }
  rv1::RepOutOfOffice change;
  change.set_rep_id(req->rep_id());
  *change.mutable_windows() = req->windows();
  SetMillis(change.mutable_at(), clock_.NowMillis());
  if (auto valid = out_of_office_->Validate(change); !valid.ok()) return ToGrpc(valid.status());
  // On the topic first: the view is rebuilt from it after a Redis loss.
  kafka::OutgoingMessage m;
  m.topic = topics::kRepsOutOfOffice;
  m.key = req->rep_id();
  m.payload = change.SerializeAsString();
  if (Status s = producer_.ProduceAndWait(m, kPublishTimeout); !s.ok()) return ToGrpc(s);
  auto stored = out_of_office_->Apply(change);
  if (!stored.ok()) return ToGrpc(stored.status());
  resp->set_rep_id(req->rep_id());
  ToProto(*stored, resp->mutable_windows());
  return grpc::Status::OK;
}

grpc::Status RoutingGrpcService::GetLead(grpc::ServerContext* ctx, const rv1::GetLeadRequest* req,
                                         rv1::LeadView* resp) {
  std::optional<Caller> caller;
  if (auto a = Authenticate(ctx, &caller); !a.ok()) return a;
  if (req->lead_id().empty()) return {grpc::StatusCode::INVALID_ARGUMENT, "lead_id: required"};
  // One answer for an unknown lead and one of another team (docs/security.md,
  // "No oracles").
  const grpc::Status not_found{
      grpc::StatusCode::NOT_FOUND,
      "lead " + req->lead_id() + " is not one of the caller's teams' leads"};
  auto stored = store_.decisions.Get(req->lead_id());
  if (!stored.ok()) return ToGrpc(stored.status());
  if (!stored->has_value()) return not_found;
  const rv1::LeadAssigned& rec = (*stored)->record;
  const std::string& team = rec.decision().team();
  if (team.empty() || (caller && !auth_->MayActOnTeam(*caller, team))) return not_found;
  auto tags = store_.sales_feedback.Tags(req->lead_id());
  if (!tags.ok()) return ToGrpc(tags.status());
  *resp = ViewOf(rec, *tags);
  if (resp->state() == rv1::SALES_STATE_UNSPECIFIED) return not_found;  // e.g. nurture
  return grpc::Status::OK;
}

grpc::Status RoutingGrpcService::ListOpenLeads(grpc::ServerContext* ctx,
                                               const rv1::ListOpenLeadsRequest* req,
                                               rv1::ListOpenLeadsResponse* resp) {
  if (req->rep_id().empty() == req->team().empty()) {
    return {grpc::StatusCode::INVALID_ARGUMENT, "exactly one of rep_id or team is required"};
  }
  if (req->limit() < 0) return {grpc::StatusCode::INVALID_ARGUMENT, "limit: must not be negative"};
  if (auto a = Authorize(ctx, req->rep_id(), req->team()); !a.ok()) return a;
  const size_t limit = req->limit() == 0 ? kMaxListed : std::min<size_t>(req->limit(), kMaxListed);
  auto reps = RepsOf(*req);
  if (!reps.ok()) return ToGrpc(reps.status());
  std::vector<std::string> ids;
  for (const auto& rep : *reps) {
    auto open = store_.rep_loads.OpenLeads(rep);
    if (!open.ok()) return ToGrpc(open.status());
    ids.insert(ids.end(), open->begin(), open->end());
  }
  if (!req->team().empty()) {
    auto queued = store_.queues.Leads(req->team(), static_cast<int>(limit) + 1);
    if (!queued.ok()) return ToGrpc(queued.status());
    for (const auto& q : *queued) ids.push_back(q.lead_id);  // in drain order
  }
  auto tags = store_.sales_feedback.TagsMany(ids);
  if (!tags.ok()) return ToGrpc(tags.status());
  for (size_t i = 0; i < ids.size(); ++i) {
    auto rec = store_.decisions.Get(ids[i]);
    if (!rec.ok()) return ToGrpc(rec.status());
    if (!rec->has_value() || IsSlim((*rec)->record)) continue;  // no longer open
    const auto& d = (*rec)->record.decision();
    if (!req->team().empty() ? d.team() != req->team() : d.rep_id() != req->rep_id()) continue;
    rv1::LeadView v = ViewOf((*rec)->record, (*tags)[i]);
    if (v.state() != rv1::SALES_QUEUED && v.state() != rv1::SALES_ASSIGNED &&
        v.state() != rv1::SALES_ACCEPTED && v.state() != rv1::SALES_IN_STAGE) {
      continue;
    }
    if (static_cast<size_t>(resp->leads_size()) >= limit) {
      resp->set_truncated(true);
      break;
    }
    *resp->add_leads() = std::move(v);
  }
  return grpc::Status::OK;
}

StatusOr<std::vector<std::string>> RoutingGrpcService::RepsOf(
    const rv1::ListOpenLeadsRequest& req) const {
  if (!req.rep_id().empty()) return std::vector<std::string>{req.rep_id()};
  const auto* team = policy_->FindTeam(req.team());
  if (team == nullptr) return Status::NotFound("unknown team " + req.team());
  std::vector<std::string> reps;
  for (const auto& r : team->reps()) reps.push_back(r.rep_id());
  return reps;
}

struct RoutingGrpcService::Watch {
  std::vector<std::string> reps;
  std::string rep_id;  // empty: a team's stream
  WatchedLeads sent;
  grpc::ServerWriter<rv1::LeadAssigned>* writer;

  // Writes `event` unless the stream sent it already or something newer;
  // false when the client is gone.
  bool Send(const rv1::LeadAssigned& event) {
    return !sent.ShouldSend(event.change()) || writer->Write(event);
  }
};

grpc::Status RoutingGrpcService::WatchAssignments(Context* ctx,
                                                  const rv1::WatchAssignmentsRequest* req,
                                                  grpc::ServerWriter<rv1::LeadAssigned>* w) {
  if (req->rep_id().empty() == req->team().empty()) {
    return {grpc::StatusCode::INVALID_ARGUMENT, "exactly one of rep_id or team is required"};
  }
  if (auto a = Authorize(ctx, req->rep_id(), req->team()); !a.ok()) return a;
  rv1::ListOpenLeadsRequest scope;
  scope.set_rep_id(req->rep_id());
  scope.set_team(req->team());
  auto reps = RepsOf(scope);
  if (!reps.ok()) return ToGrpc(reps.status());
  // Subscribe before reading the current state, so nothing decided in between is missed.
  auto sub = broadcaster_.Subscribe(req->rep_id(), req->team());
  struct Unsub {
    AssignmentBroadcaster& b;
    std::shared_ptr<AssignmentBroadcaster::Subscription> s;
    ~Unsub() { b.Unsubscribe(s); }
  } unsub{broadcaster_, sub};
  Watch watch{std::move(*reps), req->rep_id(), WatchedLeads{}, w};
  auto first = Scan(watch);
  if (!first.ok()) return ToGrpc(first.status());
  if (!*first) return grpc::Status::OK;
  return Follow(ctx, *sub, watch);
}

grpc::Status RoutingGrpcService::Follow(Context* ctx, AssignmentBroadcaster::Subscription& sub,
                                        Watch& watch) {
  rv1::LeadAssigned event;
  while (!ctx->IsCancelled() && !shutting_down_) {
    switch (sub.Pop(watch_poll_, &event)) {
      case AssignmentBroadcaster::Subscription::Next::kItem:
        // A decision from this instance, or a change with its LeadChange set.
        if (!event.has_change()) event = WithChange(std::move(event), FeedbackTags{}, watch.rep_id);
        if (!watch.Send(event)) return grpc::Status::OK;
        break;
      case AssignmentBroadcaster::Subscription::Next::kTimeout: {
        auto more = Scan(watch);  // changes made by other replicas, the scheduler or the topics
        if (more.ok() && !*more) return grpc::Status::OK;
        break;
      }
      case AssignmentBroadcaster::Subscription::Next::kClosed:
        return grpc::Status::OK;
    }
  }
  return grpc::Status::OK;
}

StatusOr<bool> RoutingGrpcService::Scan(Watch& watch) {
  std::set<std::string> seen;
  auto open = ScanOpen(watch, seen);
  if (!open.ok() || !*open) return open;
  return ScanGone(watch, seen);
}

StatusOr<bool> RoutingGrpcService::ScanOpen(Watch& watch, std::set<std::string>& seen) {
  for (const auto& rep : watch.reps) {
    auto open = store_.rep_loads.OpenLeads(rep);
    if (!open.ok()) return open.status();
    auto tags = store_.sales_feedback.TagsMany(*open);
    if (!tags.ok()) return tags.status();
    for (size_t i = 0; i < open->size(); ++i) {
      const std::string& lead_id = (*open)[i];
      auto rec = store_.decisions.Get(lead_id);
      if (!rec.ok()) return rec.status();
      if (!rec->has_value() || (*rec)->record.decision().rep_id() != rep ||
          IsSlim((*rec)->record)) {
        continue;  // not (or no longer) open with this rep
      }
      seen.insert(lead_id);
      if (!watch.Send(WithChange((*rec)->record, (*tags)[i], watch.rep_id))) return false;
    }
  }
  return true;
}

StatusOr<bool> RoutingGrpcService::ScanGone(Watch& watch, const std::set<std::string>& seen) {
  for (const auto& lead_id : watch.sent.Gone(seen)) {
    auto rec = store_.decisions.Get(lead_id);
    if (!rec.ok()) return rec.status();
    auto tags = store_.sales_feedback.Tags(lead_id);
    if (!tags.ok()) return tags.status();
    if (!rec->has_value()) {
      watch.sent.Forget(lead_id);  // expired or erased: nothing more to say
      continue;
    }
    rv1::LeadAssigned event = WithChange((*rec)->record, *tags, watch.rep_id);
    if (event.change().state() == rv1::SALES_STATE_UNSPECIFIED) {
      watch.sent.Forget(lead_id);
      continue;
    }
    if (!watch.Send(event)) return false;
  }
  return true;
}

}  // namespace leadflow::routing
