#include "nurture/app/nurture_grpc_service.h"

#include "common/auth/scopes.h"
#include "common/log/log.h"

namespace leadflow::nurture {

namespace nv1 = leadflow::nurture::v1;

namespace {

grpc::Status ToGrpc(const Status& s) {
  if (s.ok()) return grpc::Status::OK;
  if (s.code() == StatusCode::kUnavailable) return {grpc::StatusCode::UNAVAILABLE, s.message()};
  if (s.code() == StatusCode::kInvalidArgument) {
    return {grpc::StatusCode::INVALID_ARGUMENT, s.message()};
  }
  return {grpc::StatusCode::INTERNAL, s.message()};
}

}  // namespace

grpc::Status NurtureGrpcService::GetEnrolment(grpc::ServerContext* ctx,
                                              const nv1::GetEnrolmentRequest* req,
                                              nv1::GetEnrolmentResponse* resp) {
  if (auto s = auth::RequireScope(callers_, *ctx, {auth::scopes::kReadEnrolments}); !s.ok()) {
    return s;
  }
  if (req->contact_id().empty() == req->lead_id().empty()) {
    return {grpc::StatusCode::INVALID_ARGUMENT, "exactly one of contact_id or lead_id is required"};
  }
  auto ids = req->contact_id().empty() ? store_.enrolments().EnrolmentsOfLead(req->lead_id())
                                       : store_.enrolments().EnrolmentsOfContact(req->contact_id());
  if (!ids.ok()) return ToGrpc(ids.status());
  for (const auto& id : *ids) {
    auto rec = store_.enrolments().Get(id);
    if (!rec.ok()) return ToGrpc(rec.status());
    if (rec->has_value()) *resp->add_enrolments() = (*rec)->enrolment;
  }
  return grpc::Status::OK;
}

grpc::Status NurtureGrpcService::Unsubscribe(grpc::ServerContext* ctx,
                                             const nv1::UnsubscribeRequest* req,
                                             nv1::UnsubscribeResponse* resp) {
  if (auto s = auth::RequireScope(callers_, *ctx, {auth::scopes::kUnsubscribe}); !s.ok()) {
    return s;
  }
  std::string contact = req->contact_id();
  if (contact.empty()) {
    if (req->email().empty()) {
      return {grpc::StatusCode::INVALID_ARGUMENT, "contact_id or email is required"};
    }
    // A contact with an active enrolment is found by its email and
    // unsubscribed by its id, which every later lead of that email carries
    // too (intake derives it from the email): the email itself is not kept.
    // Any other email is remembered as such, so it is never enrolled.
    auto found = store_.enrolments().ContactByEmail(req->email());
    if (!found.ok()) return ToGrpc(found.status());
    if (!found->has_value()) {
      if (Status s = store_.unsubscribes().AddEmail(req->email()); !s.ok()) return ToGrpc(s);
      found = store_.enrolments().ContactByEmail(req->email());  // enrolled meanwhile?
      if (!found.ok()) return ToGrpc(found.status());
      if (!found->has_value()) return grpc::Status::OK;  // not enrolled: nothing to stop
    }
    contact = **found;
  }
  auto n = store_.unsubscribes().Unsubscribe(contact, "unsubscribed");
  if (!n.ok()) return ToGrpc(n.status());
  const int exited = *n;
  for (int i = 0; i < exited; ++i) metrics_.Exited("unsubscribed");
  resp->set_enrolments_exited(exited);
  log::Info("contact unsubscribed", {{"contact_id", contact}, {"exited", std::to_string(exited)}});
  return grpc::Status::OK;
}

grpc::Status NurtureGrpcService::MaySuppressFor(const auth::ServiceCaller& caller,
                                                const std::string& account_key) {
  if (caller.Has(auth::scopes::kSuppressAnyTopic)) return grpc::Status::OK;
  // An account manager: only the accounts the registry view says they own.
  auto account = accounts_.Get(account_key);
  if (!account.ok()) {
    return {grpc::StatusCode::UNAVAILABLE,
            "the account registry view is not ready; retry (" + account.status().message() + ")"};
  }
  if (!account->has_value() || (*account)->owner_rep_id() != caller.rep_id) {
    // The same answer for an unknown account and another rep's account.
    return {grpc::StatusCode::PERMISSION_DENIED,
            "caller " + caller.id + " may suppress topics only for the accounts it owns"};
  }
  return grpc::Status::OK;
}

grpc::Status NurtureGrpcService::SuppressTopic(grpc::ServerContext* ctx,
                                               const nv1::SuppressTopicRequest* req,
                                               nv1::SuppressTopicResponse* resp) {
  auth::ServiceCaller caller;
  if (auto s = auth::RequireScope(
          callers_, *ctx,
          {auth::scopes::kSuppressAnyTopic, auth::scopes::kSuppressOwnAccountsTopic}, &caller);
      !s.ok()) {
    return s;
  }
  if (req->account_key().empty()) {
    return {grpc::StatusCode::INVALID_ARGUMENT, "account_key is required"};
  }
  if (req->topic().empty()) return {grpc::StatusCode::INVALID_ARGUMENT, "topic is required"};
  if (auto s = MaySuppressFor(caller, req->account_key()); !s.ok()) return s;
  if (Status s = store_.suppressions().Add(req->account_key(), req->topic()); !s.ok()) {
    return ToGrpc(s);
  }
  // Count the pending touches this stops: remaining steps of active enrolments.
  auto ids = store_.enrolments().EnrolmentsOfAccount(req->account_key());
  if (!ids.ok()) return ToGrpc(ids.status());
  int cancelled = 0;
  for (const auto& id : *ids) {
    auto rec = store_.enrolments().Get(id);
    if (!rec.ok()) return ToGrpc(rec.status());
    if (!rec->has_value() || (*rec)->enrolment.state() != nv1::ACTIVE_ENROLMENT) continue;
    const auto* track = policy_->FindTrack((*rec)->enrolment.track_id());
    if (track == nullptr) continue;
    for (int i = (*rec)->enrolment.next_step(); i < track->steps_size(); ++i) {
      const auto* item = policy_->FindContent(track->steps(i).content_id());
      if (item != nullptr && item->topic() == req->topic()) ++cancelled;
    }
  }
  resp->set_pending_touches_cancelled(cancelled);
  log::Info(
      "topic suppressed",
      {{"topic", req->topic()}, {"caller", caller.id}, {"cancelled", std::to_string(cancelled)}});
  return grpc::Status::OK;
}

}  // namespace leadflow::nurture
