#include "intake/app/grpc_service.h"

#include <google/protobuf/any.pb.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/wire_format_lite.h>
#include <grpcpp/grpcpp.h>

#include "intake/app/grpc_access.h"

namespace leadflow::intake {
namespace {

using leadflow::intake::v1::SubmitLeadResponse;
namespace io = google::protobuf::io;

constexpr uint32_t kTag(int field, int wire_type) {
  return static_cast<uint32_t>((field << 3) | wire_type);
}

// INVALID_ARGUMENT with `response` (its field errors) in the status details.
grpc::Status InvalidArgument(const std::string& msg, const SubmitLeadResponse& response) {
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, msg,
                      EncodeErrorDetails(grpc::StatusCode::INVALID_ARGUMENT, msg, response));
}

// The answer to a processed submission: a new lead and a repeat alike
// (docs/security.md, "No oracles"), or its field errors.
grpc::Status Answer(const StatusOr<IntakeResult>& result, SubmitLeadResponse* response) {
  if (!result.ok()) {
    if (result.status().code() == StatusCode::kUnavailable) {
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "temporarily unavailable, retry later");
    }
    return grpc::Status(grpc::StatusCode::INTERNAL, "internal error");
  }
  if (result->outcome != IntakeOutcome::kRejected) {
    response->set_lead_id(result->lead_id);
    return grpc::Status::OK;
  }
  std::string msg = "invalid lead submission:";
  for (const auto& e : result->errors) {
    *response->add_errors() = e;
    msg += " " + e.field_path() + " (" + leadflow::common::v1::ReasonCode_Name(e.reason()) + ")";
  }
  return InvalidArgument(msg, *response);
}

}  // namespace

std::string EncodeErrorDetails(int code, const std::string& message,
                               const SubmitLeadResponse& response) {
  google::protobuf::Any any;
  any.PackFrom(response);
  const std::string any_bytes = any.SerializeAsString();
  std::string out;
  {
    io::StringOutputStream stream(&out);
    io::CodedOutputStream coded(&stream);
    // google.rpc.Status { int32 code = 1; string message = 2; repeated Any details = 3; }
    coded.WriteTag(kTag(1, 0));
    coded.WriteVarint32SignExtended(code);
    coded.WriteTag(kTag(2, 2));
    coded.WriteVarint32(static_cast<uint32_t>(message.size()));
    coded.WriteString(message);
    coded.WriteTag(kTag(3, 2));
    coded.WriteVarint32(static_cast<uint32_t>(any_bytes.size()));
    coded.WriteString(any_bytes);
  }
  return out;
}

bool DecodeSubmitLeadErrors(const std::string& error_details, SubmitLeadResponse* response) {
  io::CodedInputStream in(reinterpret_cast<const uint8_t*>(error_details.data()),
                          static_cast<int>(error_details.size()));
  while (true) {
    const uint32_t tag = in.ReadTag();
    if (tag == 0) return false;
    if (tag == kTag(3, 2)) {
      std::string any_bytes;
      uint32_t len = 0;
      if (!in.ReadVarint32(&len) || !in.ReadString(&any_bytes, static_cast<int>(len))) return false;
      google::protobuf::Any any;
      if (any.ParseFromString(any_bytes) && any.Is<SubmitLeadResponse>()) {
        return any.UnpackTo(response);
      }
      continue;
    }
    if (!google::protobuf::internal::WireFormatLite::SkipField(&in, tag)) return false;
  }
}

grpc::Status IntakeGrpcService::SubmitLead(grpc::ServerContext* context,
                                           const leadflow::intake::v1::SubmitLeadRequest* request,
                                           SubmitLeadResponse* response) {
  leadflow::intake::v1::LeadSubmission sub = request->lead();
  SubmissionOrigin origin;
  if (auto trace = ClientMetadata(context, "trace-id")) origin.trace_id = trace->substr(0, 128);
  std::string source;
  Refusal refused = intake_.Authenticate(CallerApiKey(context), &source);
  if (refused == Refusal::kNone) refused = intake_.Bind(source, &sub);
  if (refused != Refusal::kNone) return RefusalStatus(refused);
  if (sub.ByteSizeLong() > intake_.processor().policy().max_payload_bytes()) {
    intake_.processor().CountUnparseable(leadflow::common::v1::PAYLOAD_TOO_LARGE);
    const std::string msg = "submission exceeds the size limit";
    auto* e = response->add_errors();
    e->set_reason(leadflow::common::v1::PAYLOAD_TOO_LARGE);
    e->set_message(msg);
    return InvalidArgument(msg, *response);
  }
  return Answer(intake_.Submit(sub, origin), response);
}

}  // namespace leadflow::intake
