#include "intake/app/privacy_grpc_service.h"

#include <google/protobuf/util/time_util.h>
#include <grpcpp/grpcpp.h>

#include "common/log/log.h"
#include "common/privacy/erasure.h"
#include "intake/app/grpc_access.h"
#include "intake/domain/erasure_subject.h"

namespace leadflow::intake {

namespace pv1 = leadflow::privacy::v1;

PrivacyGrpcService::PrivacyGrpcService(const IntakePolicy& policy, SourceAccess& access,
                                       kafka::Producer& producer, IdGenerator& ids,
                                       const ContactIdKey& contact_ids, const Clock& clock,
                                       std::chrono::milliseconds publish_timeout)
    : access_(access),
      producer_(producer),
      ids_(ids),
      contact_ids_(contact_ids),
      clock_(clock),
      publish_timeout_(publish_timeout) {
  for (const auto& source : policy.config().sources()) {
    if (source.may_erase_contacts()) erasers_.insert(source.source_id());
  }
}

grpc::Status PrivacyGrpcService::EraseContact(grpc::ServerContext* context,
                                              const pv1::EraseContactRequest* request,
                                              pv1::EraseContactResponse* response) {
  const AccessDecision d = access_.Check(CallerApiKey(context));
  if (Refusal r = RefusalOf(d); r != Refusal::kNone) return RefusalStatus(r);
  if (erasers_.count(d.source_id) == 0) {
    log::Warn("erasure refused: caller may not erase contacts", {{"source", d.source_id}});
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                        "this API key's source may not erase contacts (may_erase_contacts)");
  }
  auto contact_id = ErasureContactId(*request, contact_ids_);
  if (!contact_id.ok()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, contact_id.status().message());
  }
  pv1::ContactErasure erasure;
  erasure.set_erasure_id(
      ErasureIdFor(d.source_id, request->request_id(), *contact_id, ids_.Hex32()));
  erasure.set_contact_id(*contact_id);
  *erasure.mutable_lead_ids() = request->lead_ids();
  *erasure.mutable_requested_at() =
      google::protobuf::util::TimeUtil::MillisecondsToTimestamp(clock_.NowMillis());
  erasure.set_requested_by(d.source_id);
  Status s = producer_.ProduceAndWait(privacy::ErasureMessage(erasure), publish_timeout_);
  if (!s.ok()) {
    log::Warn("publishing erasure failed",
              {{"erasure_id", erasure.erasure_id()}, {"error", s.message()}});
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "temporarily unavailable, retry later");
  }
  log::Info("erasure requested", {{"erasure_id", erasure.erasure_id()}, {"source", d.source_id}});
  response->set_erasure_id(erasure.erasure_id());
  response->set_contact_id(erasure.contact_id());
  return grpc::Status::OK;
}

}  // namespace leadflow::intake
