#include "intake/app/http_handler.h"

#include <cctype>
#include <nlohmann/json.hpp>

#include "intake/domain/submission_parser.h"

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

}  // namespace

health::HttpResponse HttpLeadHandler::Handle(const health::HttpRequest& request) {
  std::string authenticated_source;
  if (access_ != nullptr) {
    const auto key =
        auth::ExtractApiKey([&](const std::string& name) -> std::optional<std::string> {
          auto it = request.headers.find(name);
          if (it == request.headers.end()) return std::nullopt;
          return it->second;
        });
    const AccessDecision d = access_->Check(key);
    if (d.outcome == AccessOutcome::kUnauthenticated) {
      processor_.CountDenied("", "UNAUTHENTICATED");
      return ErrorJson(401, "x-api-key", "UNAUTHENTICATED", "missing or unknown API key");
    }
    if (d.outcome == AccessOutcome::kRateLimited && d.limit_unavailable) {
      processor_.CountDenied(d.source_id, "RATE_LIMIT_UNAVAILABLE");
      return Json(503, {{"error", "temporarily unavailable, retry later"}});
    }
    if (d.outcome == AccessOutcome::kRateLimited) {
      processor_.CountDenied(d.source_id, "RATE_LIMITED");
      return ErrorJson(429, "", "RATE_LIMITED", "rate limit of this source exceeded, retry later");
    }
    authenticated_source = d.source_id;
  }
  std::string content_type;
  if (auto it = request.headers.find("content-type"); it != request.headers.end()) {
    content_type = it->second;
  }
  PayloadFormat format = FormatFromContentType(content_type);
  if (format == PayloadFormat::kUnknown && IsLenientJsonType(content_type)) {
    format = PayloadFormat::kJson;
  }
  std::string bad_field;
  auto parsed =
      ParseSubmission(request.body, format, processor_.policy().max_payload_bytes(), &bad_field);
  if (!parsed.ok()) {
    const auto reason = static_cast<leadflow::common::v1::ReasonCode>(parsed.status().reason());
    processor_.CountUnparseable(reason);
    const int status = reason == leadflow::common::v1::PAYLOAD_TOO_LARGE ? 413
                       : format == PayloadFormat::kUnknown               ? 415
                                                                         : 400;
    return Json(status, {{"errors", nlohmann::json::array({ErrorEntry(
                                        bad_field, reason, parsed.status().message())})}});
  }
  if (!authenticated_source.empty() && !BindSource(authenticated_source, &*parsed)) {
    processor_.CountDenied(authenticated_source, "SOURCE_MISMATCH");
    return ErrorJson(403, "source_id", "INVALID_FIELD",
                     "source_id does not belong to the API key's source");
  }
  SubmissionOrigin origin;
  if (auto it = request.headers.find("trace-id"); it != request.headers.end()) {
    origin.trace_id = it->second.substr(0, 128);
  }
  auto result = processor_.SubmitAndWait(*parsed, origin, producer_, publish_timeout_);
  if (!result.ok()) {
    if (result.status().code() == StatusCode::kUnavailable) {
      return Json(503, {{"error", "temporarily unavailable, retry later"}});
    }
    return Json(500, {{"error", "internal error"}});
  }
  switch (result->outcome) {
    case IntakeOutcome::kAccepted:
    case IntakeOutcome::kDuplicate:  // answered alike (docs/security.md, "No oracles")
      return Json(202, {{"lead_id", result->lead_id}});
    case IntakeOutcome::kRejected:
      break;
  }
  nlohmann::json errors = nlohmann::json::array();
  for (const auto& e : result->errors) {
    errors.push_back(ErrorEntry(e.field_path(), e.reason(), e.message()));
  }
  return Json(400, {{"errors", errors}});
}

}  // namespace leadflow::intake
