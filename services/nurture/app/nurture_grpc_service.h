// leadflow.nurture.v1.NurtureService.
//  - GetEnrolment: by contact_id or lead_id; ended enrolments for
//    kEndedEnrolmentTtl after they end.
//  - Unsubscribe: the contact (by id, or by the email of an active
//    enrolment) leaves every track; pending touches are never sent. Any other
//    email goes to the unsubscribed-email set, so it is never enrolled.
//  - SuppressTopic: one request stops every pending and future touch on that
//    topic for that account (DOMAIN.md §1: the target is 1 request).
// Thread-safe; must outlive the gRPC server.
#pragma once

#include <memory>

#include "leadflow/nurture/v1/nurture.grpc.pb.h"
#include "nurture/app/nurture_metrics.h"
#include "nurture/app/nurture_store.h"
#include "nurture/domain/nurture_policy.h"

namespace leadflow::nurture {

class NurtureGrpcService final : public leadflow::nurture::v1::NurtureService::Service {
 public:
  NurtureGrpcService(std::shared_ptr<const NurturePolicy> policy, NurtureStore& store,
                     NurtureMetrics& metrics)
      : policy_(std::move(policy)), store_(store), metrics_(metrics) {}

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
  std::shared_ptr<const NurturePolicy> policy_;
  NurtureStore& store_;
  NurtureMetrics& metrics_;
};

}  // namespace leadflow::nurture
