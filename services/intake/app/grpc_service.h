// leadflow.intake.v1.IntakeService.
//
// SubmitLead answers only after leads.accepted is durable (ProduceAndWait):
//  - OK with lead_id, for a new lead and for a repeat alike: a repeat of the
//    client's own idempotency key gets the original's id back, any other
//    repeat an id of its own; the answer never says CUSTOMER or PROSPECT nor
//    names another submission's lead (docs/security.md, "No oracles");
//  - INVALID_ARGUMENT for field problems: the status message names the
//    fields, and the status details carry the standard google.rpc.Status whose
//    details[0] is an Any packing a SubmitLeadResponse with `errors` (grpc C++
//    never sends a response body with a non-OK status); see
//    DecodeSubmitLeadErrors();
//  - UNAVAILABLE when Redis or Kafka is down (safe to retry: the claim was
//    released).
//  - UNAUTHENTICATED without a valid API key (metadata "x-api-key" or
//    "authorization: Bearer <key>"), RESOURCE_EXHAUSTED when the source's rate
//    limit is spent, PERMISSION_DENIED when lead.source_id names another
//    source (see SourceAccess).
// The trace id is read from client metadata "trace-id" when present.
// Thread-safe; must outlive the gRPC server.
#pragma once

#include <chrono>
#include <string>

#include "common/kafka/producer.h"
#include "intake/app/intake_processor.h"
#include "intake/app/source_access.h"
#include "intake/app/synchronous_intake.h"
#include "leadflow/intake/v1/intake.grpc.pb.h"

namespace leadflow::intake {

class IntakeGrpcService final : public leadflow::intake::v1::IntakeService::Service {
 public:
  // `access` may be null (no authentication); it must outlive the service.
  IntakeGrpcService(IntakeProcessor& processor, kafka::Producer& producer, SourceAccess* access,
                    std::chrono::milliseconds publish_timeout = std::chrono::seconds(10))
      : intake_(processor, producer, access, publish_timeout) {}

  grpc::Status SubmitLead(grpc::ServerContext* context,
                          const leadflow::intake::v1::SubmitLeadRequest* request,
                          leadflow::intake::v1::SubmitLeadResponse* response) override;

 private:
  SynchronousIntake intake_;
};

// The serialized google.rpc.Status for `code`/`message` with `response`
// packed as its only detail.
std::string EncodeErrorDetails(int code, const std::string& message,
                               const leadflow::intake::v1::SubmitLeadResponse& response);

// Extracts the SubmitLeadResponse (with field errors) from a non-OK status's
// error_details(); false if there is none.
bool DecodeSubmitLeadErrors(const std::string& error_details,
                            leadflow::intake::v1::SubmitLeadResponse* response);

}  // namespace leadflow::intake
