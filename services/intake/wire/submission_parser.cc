#include "intake/wire/submission_parser.h"

#include "intake/wire/submission_json_reader.h"
#include "intake/domain/text.h"

namespace leadflow::intake {
namespace {

using leadflow::intake::v1::LeadSubmission;

Status Reject(leadflow::common::v1::ReasonCode reason, std::string message) {
  return Status::InvalidArgument(std::move(message), reason);
}

}  // namespace

PayloadFormat FormatFromContentType(std::string_view content_type) {
  std::string_view base = content_type.substr(0, content_type.find(';'));
  const std::string ct = AsciiLower(TrimAscii(base));
  if (ct.empty() || ct == "json" || ct == "application/json") return PayloadFormat::kJson;
  if (ct == "protobuf" || ct == "application/x-protobuf" || ct == "application/protobuf") {
    return PayloadFormat::kProtobuf;
  }
  return PayloadFormat::kUnknown;
}

leadflow::common::v1::FieldError ParseFailureToFieldError(const Status& status,
                                                          const std::string& field_path) {
  leadflow::common::v1::FieldError e;
  e.set_field_path(field_path);
  e.set_reason(static_cast<leadflow::common::v1::ReasonCode>(status.reason()));
  e.set_message(status.message());
  return e;
}

StatusOr<LeadSubmission> ParseSubmission(std::string_view payload, PayloadFormat format,
                                         size_t max_payload_bytes, std::string* field_path) {
  if (field_path != nullptr) field_path->clear();
  if (payload.size() > max_payload_bytes) {
    return Reject(leadflow::common::v1::PAYLOAD_TOO_LARGE,
                  "payload of " + std::to_string(payload.size()) + " bytes exceeds the limit of " +
                      std::to_string(max_payload_bytes));
  }
  if (format == PayloadFormat::kUnknown) {
    return Reject(leadflow::common::v1::UNKNOWN_SCHEMA, "unsupported content-type");
  }
  LeadSubmission sub;
  if (format == PayloadFormat::kProtobuf) {
    if (!sub.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
      return Reject(leadflow::common::v1::MALFORMED_PAYLOAD,
                    "payload is not a valid protobuf leadflow.intake.v1.LeadSubmission");
    }
    if (!sub.GetReflection()->GetUnknownFields(sub).empty()) {
      return Reject(leadflow::common::v1::UNKNOWN_SCHEMA,
                    "protobuf payload has fields unknown to leadflow.intake.v1.LeadSubmission");
    }
    return sub;
  }
  if (TrimAscii(payload).empty()) {
    return Reject(leadflow::common::v1::MALFORMED_PAYLOAD, "empty payload");
  }
  if (auto problem = ReadSubmissionJson(payload, &sub)) {
    if (field_path != nullptr) *field_path = problem->path;
    return Reject(problem->reason, std::move(problem->message));
  }
  return sub;
}

}  // namespace leadflow::intake
