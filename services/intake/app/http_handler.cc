#include "intake/app/http_handler.h"

#include <cctype>
#include <nlohmann/json.hpp>
#include <optional>

#include "intake/wire/submission_parser.h"

namespace leadflow::intake {
namespace {

health::HttpResponse Json(int status, const nlohmann::json& body) {
  health::HttpResponse r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

nlohmann::json ErrorEntry(const std::string& field, leadflow::common::v1::ReasonCode reason,
                          const std::string& message) {
  return {{"field", field},
          {"reason", leadflow::common::v1::ReasonCode_Name(reason)},
          {"message", message}};
}

health::HttpResponse ErrorJson(int status, const std::string& field, const std::string& reason,
                               const std::string& message) {
  return Json(status,
              {{"errors", nlohmann::json::array(
                              {{{"field", field}, {"reason", reason}, {"message", message}}})}});
}

// Clients such as `curl -d` label JSON bodies as form data or plain text; the
// body decides.
bool IsLenientJsonType(const std::string& content_type) {
  std::string base = content_type.substr(0, content_type.find(';'));
  for (char& c : base) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  while (!base.empty() && base.back() == ' ') base.pop_back();
  while (!base.empty() && base.front() == ' ') base.erase(base.begin());
  return base == "application/x-www-form-urlencoded" || base == "text/plain" || base == "text/json";
}

health::HttpResponse Unavailable() {
  return Json(503, {{"error", "temporarily unavailable, retry later"}});
}

health::HttpResponse RefusalResponse(Refusal refusal) {
  switch (refusal) {
    case Refusal::kUnauthenticated:
      return ErrorJson(401, "x-api-key", "UNAUTHENTICATED", "missing or unknown API key");
    case Refusal::kLimitUnavailable:
      return Unavailable();
    case Refusal::kRateLimited:
      return ErrorJson(429, "", "RATE_LIMITED", "rate limit of this source exceeded, retry later");
    case Refusal::kSourceMismatch:
    case Refusal::kNone:
      break;
  }
  return ErrorJson(403, "source_id", "INVALID_FIELD",
                   "source_id does not belong to the API key's source");
}

std::optional<std::string> Header(const health::HttpRequest& request, const std::string& name) {
  auto it = request.headers.find(name);
  if (it == request.headers.end()) return std::nullopt;
  return it->second;
}

// The body's format by its content-type, lenient for JSON.
PayloadFormat FormatOf(const health::HttpRequest& request) {
  const std::string content_type = Header(request, "content-type").value_or("");
  PayloadFormat format = FormatFromContentType(content_type);
  if (format == PayloadFormat::kUnknown && IsLenientJsonType(content_type)) {
    format = PayloadFormat::kJson;
  }
  return format;
}

health::HttpResponse Unparseable(const Status& status, PayloadFormat format,
                                 const std::string& bad_field) {
  const auto reason = static_cast<leadflow::common::v1::ReasonCode>(status.reason());
  const int code = reason == leadflow::common::v1::PAYLOAD_TOO_LARGE ? 413
                   : format == PayloadFormat::kUnknown               ? 415
                                                                     : 400;
  return Json(
      code, {{"errors", nlohmann::json::array({ErrorEntry(bad_field, reason, status.message())})}});
}

// The answer to a processed submission: a new lead and a repeat alike
// (docs/security.md, "No oracles"), or its field errors.
health::HttpResponse Answer(const StatusOr<IntakeResult>& result) {
  if (!result.ok()) {
    if (result.status().code() == StatusCode::kUnavailable) return Unavailable();
    return Json(500, {{"error", "internal error"}});
  }
  if (result->outcome != IntakeOutcome::kRejected) {
    return Json(202, {{"lead_id", result->lead_id}});
  }
  nlohmann::json errors = nlohmann::json::array();
  for (const auto& e : result->errors) {
    errors.push_back(ErrorEntry(e.field_path(), e.reason(), e.message()));
  }
  return Json(400, {{"errors", errors}});
}

}  // namespace

health::HttpResponse HttpLeadHandler::Handle(const health::HttpRequest& request) {
  std::string source;
  const auto api_key =
      auth::ExtractApiKey([&request](const std::string& name) { return Header(request, name); });
  if (Refusal r = intake_.Authenticate(api_key, &source); r != Refusal::kNone) {
    return RefusalResponse(r);
  }
  const PayloadFormat format = FormatOf(request);
  std::string bad_field;
  auto parsed = ParseSubmission(request.body, format,
                                intake_.processor().policy().max_payload_bytes(), &bad_field);
  if (!parsed.ok()) {
    intake_.processor().CountUnparseable(
        static_cast<leadflow::common::v1::ReasonCode>(parsed.status().reason()));
    return Unparseable(parsed.status(), format, bad_field);
  }
  if (Refusal r = intake_.Bind(source, &*parsed); r != Refusal::kNone) return RefusalResponse(r);
  SubmissionOrigin origin;
  if (auto trace = Header(request, "trace-id")) origin.trace_id = trace->substr(0, 128);
  return Answer(intake_.Submit(*parsed, origin));
}

}  // namespace leadflow::intake
