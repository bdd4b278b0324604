#include "intake/domain/submission_parser.h"

#include <google/protobuf/util/json_util.h>

#include "intake/domain/text.h"

namespace leadflow::intake {
namespace {

using leadflow::intake::v1::LeadSubmission;

Status Reject(leadflow::common::v1::ReasonCode reason, std::string message) {
  return Status::InvalidArgument(std::move(message), reason);
}

// A field path reported by the JSON parser, if it looks like one (so that no
// submitted value leaks into the detail).
std::string SafeFieldPath(std::string_view text) {
  if (text.size() >= 2 && text.front() == '(' && text.back() == ')') {
    text = text.substr(1, text.size() - 2);
  }
  if (text.empty() || text.size() > 64) return {};
  for (char c : text) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '[' || c == ']';
    if (!ok) return {};
  }
  return std::string(text);
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

StatusOr<LeadSubmission> ParseSubmission(std::string_view payload, PayloadFormat format,
                                         size_t max_payload_bytes) {
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
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(payload.data(), payload.size()), &sub, options);
  if (status.ok()) return sub;
  const std::string_view msg(status.message().data(), status.message().size());
  const size_t colon = msg.find(':');
  const std::string path =
      colon == std::string_view::npos ? "" : SafeFieldPath(msg.substr(0, colon));
  if (msg.find("Cannot find field") != std::string_view::npos) {
    return Reject(leadflow::common::v1::UNKNOWN_SCHEMA,
                  path.empty() ? "unknown field in LeadSubmission JSON"
                               : "unknown field '" + path + "' in LeadSubmission JSON");
  }
  return Reject(leadflow::common::v1::MALFORMED_PAYLOAD,
                path.empty() ? "payload is not valid JSON for leadflow.intake.v1.LeadSubmission"
                             : "invalid value for field '" + path + "'");
}

}  // namespace leadflow::intake
