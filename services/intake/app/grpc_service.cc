#include "intake/app/grpc_service.h"

#include <google/protobuf/any.pb.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/wire_format_lite.h>
#include <grpcpp/grpcpp.h>

namespace leadflow::intake {
namespace {

using leadflow::intake::v1::SubmitLeadResponse;
namespace io = google::protobuf::io;

constexpr uint32_t kTag(int field, int wire_type) {
  return static_cast<uint32_t>((field << 3) | wire_type);
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
  auto metadata = [context](const std::string& name) -> std::optional<std::string> {
    if (context == nullptr) return std::nullopt;
    const auto& md = context->client_metadata();
    auto it = md.find(name);
    if (it == md.end()) return std::nullopt;
    return std::string(it->second.data(), it->second.size());
  };
  if (auto trace = metadata("trace-id")) origin.trace_id = trace->substr(0, 128);
  if (access_ != nullptr) {
    const AccessDecision d = access_->Check(auth::ExtractApiKey(metadata));
    if (d.outcome == AccessOutcome::kUnauthenticated) {
      processor_.CountDenied("", "UNAUTHENTICATED");
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "missing or unknown API key");
    }
    if (d.outcome == AccessOutcome::kRateLimited && d.limit_unavailable) {
      processor_.CountDenied(d.source_id, "RATE_LIMIT_UNAVAILABLE");
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "temporarily unavailable, retry later");
    }
    if (d.outcome == AccessOutcome::kRateLimited) {
      processor_.CountDenied(d.source_id, "RATE_LIMITED");
      return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                          "rate limit of this source exceeded, retry later");
    }
    if (!BindSource(d.source_id, &sub)) {
      processor_.CountDenied(d.source_id, "SOURCE_MISMATCH");
      return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                          "source_id does not belong to the API key's source");
    }
  }
  if (sub.ByteSizeLong() > processor_.policy().max_payload_bytes()) {
    processor_.CountUnparseable(leadflow::common::v1::PAYLOAD_TOO_LARGE);
    auto* e = response->add_errors();
    e->set_reason(leadflow::common::v1::PAYLOAD_TOO_LARGE);
    e->set_message("submission exceeds the size limit");
    const std::string msg = "submission exceeds the size limit";
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, msg,
                        EncodeErrorDetails(grpc::StatusCode::INVALID_ARGUMENT, msg, *response));
  }
  auto result = processor_.SubmitAndWait(sub, origin, producer_, publish_timeout_);
  if (!result.ok()) {
    if (result.status().code() == StatusCode::kUnavailable) {
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "temporarily unavailable, retry later");
    }
    return grpc::Status(grpc::StatusCode::INTERNAL, "internal error");
  }
  switch (result->outcome) {
    case IntakeOutcome::kAccepted:
    case IntakeOutcome::kDuplicate:  // answered alike (docs/security.md, "No oracles")
      response->set_lead_id(result->lead_id);
      return grpc::Status::OK;
    case IntakeOutcome::kRejected:
      break;
  }
  std::string msg = "invalid lead submission:";
  for (const auto& e : result->errors) {
    *response->add_errors() = e;
    msg += " " + e.field_path() + " (" + leadflow::common::v1::ReasonCode_Name(e.reason()) + ")";
  }
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, msg,
                      EncodeErrorDetails(grpc::StatusCode::INVALID_ARGUMENT, msg, *response));
}

}  // namespace leadflow::intake
