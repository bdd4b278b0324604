#include "intake/app/grpc_access.h"

#include "common/auth/api_keys.h"

namespace leadflow::intake {

std::optional<std::string> ClientMetadata(const grpc::ServerContext* context,
                                          const std::string& name) {
  if (context == nullptr) return std::nullopt;
  const auto& md = context->client_metadata();
  auto it = md.find(name);
  if (it == md.end()) return std::nullopt;
  return std::string(it->second.data(), it->second.size());
}

std::optional<std::string> CallerApiKey(const grpc::ServerContext* context) {
  return auth::ExtractApiKey(
      [context](const std::string& name) { return ClientMetadata(context, name); });
}

grpc::Status RefusalStatus(Refusal refusal) {
  switch (refusal) {
    case Refusal::kUnauthenticated:
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "missing or unknown API key");
    case Refusal::kLimitUnavailable:
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "temporarily unavailable, retry later");
    case Refusal::kRateLimited:
      return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                          "rate limit of this source exceeded, retry later");
    case Refusal::kSourceMismatch:
      return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                          "source_id does not belong to the API key's source");
    case Refusal::kNone:
      break;
  }
  return grpc::Status::OK;
}

}  // namespace leadflow::intake
