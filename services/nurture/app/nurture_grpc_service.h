// leadflow.nurture.v1.NurtureService.
//  - GetEnrolment: by contact_id or lead_id; ended enrolments for
//    kEndedEnrolmentTtl after they end.
//  - Unsubscribe: the contact (by id, or by the email of an active
//    enrolment) leaves every track; pending touches are never sent. Any other
//    email goes to the unsubscribed-email set, so it is never enrolled.
//  - SuppressTopic: one request stops every pending and future touch on that
//    topic for that account (the target is one request, docs/domain-rules.md).
// Every method needs a caller with its scope (docs/security.md): GetEnrolment
// enrolments:read, Unsubscribe contacts:unsubscribe, SuppressTopic
// topics:suppress (marketing ops, any account) or topics:suppress-own (an
// account manager: only accounts whose owner_rep_id is the caller's rep_id,
// checked in the registry view; UNAVAILABLE while the view is not ready,
// never a guess). Refusals come before the request is looked at.
// Thread-safe; must outlive the gRPC server.
#pragma once

#include <memory>

#include "common/auth/caller_identifier.h"
#include "common/registry/account_registry.h"
#include "leadflow/nurture/v1/nurture.grpc.pb.h"
#include "nurture/app/nurture_metrics.h"
#include "nurture/app/nurture_store.h"
#include "nurture/domain/nurture_policy.h"

namespace leadflow::nurture {

class NurtureGrpcService final : public leadflow::nurture::v1::NurtureService::Service {
 public:
  // `callers` and `accounts` must outlive the service.
  NurtureGrpcService(const auth::CallerIdentifier& callers,
                     std::shared_ptr<const NurturePolicy> policy, NurtureStore& store,
                     registry::AccountRegistry& accounts, NurtureMetrics& metrics)
      : callers_(callers),
        policy_(std::move(policy)),
        store_(store),
        accounts_(accounts),
        metrics_(metrics) {}

  grpc::Status GetEnrolment(grpc::ServerContext* ctx,
                            const leadflow::nurture::v1::GetEnrolmentRequest* req,
                            leadflow::nurture::v1::GetEnrolmentResponse* resp) override;
  grpc::Status Unsubscribe(grpc::ServerContext* ctx,
                           const leadflow::nurture::v1::UnsubscribeRequest* req,
                           leadflow::nurture::v1::UnsubscribeResponse* resp) override;
  grpc::Status SuppressTopic(grpc::ServerContext* ctx,
                             const leadflow::nurture::v1::SuppressTopicRequest* req,
                             leadflow::nurture::v1::SuppressTopicResponse* resp) override;

 private:
  // OK when `caller` may suppress topics of `account_key`.
  grpc::Status MaySuppressFor(const auth::ServiceCaller& caller, const std::string& account_key);

  const auth::CallerIdentifier& callers_;
  std::shared_ptr<const NurturePolicy> policy_;
  NurtureStore& store_;
  registry::AccountRegistry& accounts_;
  NurtureMetrics& metrics_;
};

}  // namespace leadflow::nurture
