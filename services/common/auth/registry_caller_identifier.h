// Identifies a gRPC caller by what the call presents: an API key in metadata
// "x-api-key" or "authorization: Bearer <key>", else the subject CN of a
// client certificate the TLS layer verified (mutual TLS, see LEADFLOW_TLS_* in
// docs/security.md), looked up in a CallerRegistry.
//
// Immutable; thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "common/auth/caller_identifier.h"
#include "common/util/status.h"

namespace leadflow::auth {

// What a call presents: its API key, if any, and the verified peer's CN
// (empty without a verified client certificate). Shared with routing's
// CallerAuth, which scopes callers by team.
struct PresentedCredentials {
  std::optional<std::string> api_key;
  std::string cert_cn;
};
PresentedCredentials CredentialsOf(const grpc::ServerContext& ctx);

class RegistryCallerIdentifier final : public CallerIdentifier {
 public:
  explicit RegistryCallerIdentifier(CallerRegistry registry) : registry_(std::move(registry)) {}

  // Loads a callers file (leadflow.config.v1.Callers, JSON or text format) and
  // validates it against the scopes in common/auth/scopes.h. Errors name the
  // file and the field.
  static StatusOr<std::unique_ptr<RegistryCallerIdentifier>> Load(const std::string& path);

  std::optional<ServiceCaller> Identify(const grpc::ServerContext& ctx) const override;

  size_t size() const { return registry_.size(); }

 private:
  CallerRegistry registry_;
};

}  // namespace leadflow::auth
