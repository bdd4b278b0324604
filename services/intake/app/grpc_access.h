// The gRPC side of SourceAccess, for intake's gRPC services: the caller's
// metadata, and a refusal answered as a gRPC status.
#pragma once

#include <grpcpp/grpcpp.h>

#include <optional>
#include <string>

#include "intake/app/source_access.h"

namespace leadflow::intake {

// The value of client metadata `name` (lower-case), or nullopt; nullopt for
// every name without a context (direct calls in tests).
std::optional<std::string> ClientMetadata(const grpc::ServerContext* context,
                                          const std::string& name);

// The API key the caller presented (metadata "x-api-key" or
// "authorization: Bearer <key>"), or nullopt.
std::optional<std::string> CallerApiKey(const grpc::ServerContext* context);

// UNAUTHENTICATED, UNAVAILABLE (the rate limit could not be checked: retry),
// RESOURCE_EXHAUSTED or PERMISSION_DENIED; OK for Refusal::kNone.
grpc::Status RefusalStatus(Refusal refusal);

}  // namespace leadflow::intake
