#include "intake/domain/submission_parser.h"

#include <google/protobuf/util/json_util.h>

#include <cmath>
#include <nlohmann/json.hpp>

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

// A map key or field name fit to appear in a field path: a short identifier,
// never free text that could carry personal data.
std::string SafeKey(const std::string& key) {
  if (key.empty() || key.size() > 64) return {};
  for (char c : key) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == '.';
    if (!ok) return {};
  }
  return key;
}

std::string JoinPath(const std::string& parent, const std::string& key) {
  const std::string safe = SafeKey(key);
  return safe.empty() ? parent : parent + "." + safe;
}

struct JsonProblem {
  leadflow::common::v1::ReasonCode reason;
  std::string path;
  std::string message;
};

// Deepest JSON nesting a LeadSubmission needs: the object (0), answers (1),
// an answer value (2).
constexpr int kMaxJsonDepth = 2;

// Checks the JSON shape of a LeadSubmission before protobuf's JSON mapping
// runs, so that each problem names its field: well-formed UTF-8 JSON, bounded
// nesting (no JSON bombs), a top-level object, only known fields, and the JSON
// type each field needs (a number or bool where a string belongs, an object
// where a string belongs, a non-finite or fractional integer, ...).
std::optional<JsonProblem> PrecheckJson(std::string_view payload) {
  using nlohmann::json;
  std::string key1, key2;
  std::optional<std::string> too_deep;
  json::parser_callback_t cb = [&](int depth, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::key) {
      if (depth == 1) {
        key1 = parsed.is_string() ? parsed.get<std::string>() : "";
        key2.clear();
      } else if (depth == 2) {
        key2 = parsed.is_string() ? parsed.get<std::string>() : "";
      }
      return true;
    }
    const bool opens =
        event == json::parse_event_t::object_start || event == json::parse_event_t::array_start;
    if ((opens || event == json::parse_event_t::value) && depth > kMaxJsonDepth) {
      if (!too_deep) too_deep = JoinPath(SafeKey(key1), key2);
      return false;
    }
    return true;
  };
  const json doc = json::parse(payload.begin(), payload.end(), cb, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    // The syntax error is in (or right after) the last member whose key was read.
    const std::string near = key1.empty() ? "" : JoinPath(SafeKey(key1), key2);
    return JsonProblem{leadflow::common::v1::MALFORMED_PAYLOAD, near,
                       near.empty() ? "payload is not well-formed UTF-8 JSON"
                                    : "not well-formed UTF-8 JSON at or after this field"};
  }
  if (too_deep) {
    return JsonProblem{leadflow::common::v1::MALFORMED_PAYLOAD, *too_deep,
                       "value is nested too deeply"};
  }
  if (!doc.is_object()) {
    return JsonProblem{leadflow::common::v1::MALFORMED_PAYLOAD, "",
                       "payload must be a JSON object (a LeadSubmission)"};
  }
  const auto* desc = LeadSubmission::descriptor();
  namespace pb = google::protobuf;
  for (const auto& [key, value] : doc.items()) {
    const pb::FieldDescriptor* f = desc->FindFieldByName(key);
    for (int i = 0; f == nullptr && i < desc->field_count(); ++i) {
      if (desc->field(i)->json_name() == key) f = desc->field(i);
    }
    if (f == nullptr) {
      const std::string path = SafeKey(key);
      return JsonProblem{leadflow::common::v1::UNKNOWN_SCHEMA, path,
                         path.empty() ? "unknown field in LeadSubmission JSON"
                                      : "unknown field '" + path + "' in LeadSubmission JSON"};
    }
    const std::string path = f->name();
    auto bad = [&](const std::string& what) {
      return JsonProblem{leadflow::common::v1::MALFORMED_PAYLOAD, path, "must be " + what};
    };
    if (value.is_null()) continue;
    if (f->is_map()) {
      if (!value.is_object()) return bad("an object of strings");
      for (const auto& [k, v] : value.items()) {
        if (!v.is_string()) {
          return JsonProblem{leadflow::common::v1::MALFORMED_PAYLOAD, JoinPath(path, k),
                             "must be a string"};
        }
      }
      continue;
    }
    switch (f->cpp_type()) {
      case pb::FieldDescriptor::CPPTYPE_STRING:
        if (!value.is_string()) return bad("a string");
        break;
      case pb::FieldDescriptor::CPPTYPE_BOOL:
        if (!value.is_boolean()) return bad("true or false");
        break;
      case pb::FieldDescriptor::CPPTYPE_INT32:
      case pb::FieldDescriptor::CPPTYPE_INT64:
      case pb::FieldDescriptor::CPPTYPE_UINT32:
      case pb::FieldDescriptor::CPPTYPE_UINT64:
        if (value.is_number_float()) {
          const double d = value.get<double>();
          if (!std::isfinite(d) || d != std::floor(d) || std::fabs(d) > 9.2e18) {
            return bad("a whole number in range");
          }
        } else if (!value.is_number() && !value.is_string()) {
          return bad("a whole number");
        }
        break;
      case pb::FieldDescriptor::CPPTYPE_DOUBLE:
      case pb::FieldDescriptor::CPPTYPE_FLOAT:
        if (value.is_number_float() && !std::isfinite(value.get<double>())) {
          return bad("a finite number");
        }
        if (!value.is_number() && !value.is_string()) return bad("a number");
        break;
      case pb::FieldDescriptor::CPPTYPE_ENUM:
        if (!value.is_string() && !value.is_number_integer()) return bad("an enum name or number");
        break;
      case pb::FieldDescriptor::CPPTYPE_MESSAGE:  // google.protobuf.Timestamp
        if (!value.is_string()) return bad("an RFC 3339 timestamp string");
        break;
    }
  }
  return std::nullopt;
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

leadflow::intake::v1::FieldError ParseFailureToFieldError(const Status& status,
                                                          const std::string& field_path) {
  leadflow::intake::v1::FieldError e;
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
  if (auto problem = PrecheckJson(payload)) {
    if (field_path != nullptr) *field_path = problem->path;
    return Reject(problem->reason, problem->path.empty() ? problem->message
                                                         : problem->path + ": " + problem->message);
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
  if (field_path != nullptr) *field_path = path;
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
