// Who is calling a gRPC method, and whether they may: every method that reads
// or changes personal data or state asks RequireScope() first (closed by
// default; docs/security.md, "Callers and their scope").
//
// CallerIdentifier is the seam: RegistryCallerIdentifier (production) reads
// the call's API key and verified client certificate and looks them up in a
// CallerRegistry; tests of a service's logic may pass a fixed caller
// (services/common/testing/fixed_caller.h).
#pragma once

#include <initializer_list>
#include <optional>
#include <string_view>

#include "common/auth/caller_registry.h"

namespace grpc {
class ServerContext;
class Status;
}  // namespace grpc

namespace leadflow::auth {

class CallerIdentifier {
 public:
  virtual ~CallerIdentifier() = default;
  // The authenticated caller of `ctx`; nullopt when none is recognised.
  virtual std::optional<ServiceCaller> Identify(const grpc::ServerContext& ctx) const = 0;
};

// OK, and `*caller` set when given, if the call's caller holds at least one of
// `any_of`. UNAUTHENTICATED when no caller is recognised; PERMISSION_DENIED
// naming the caller id and the scopes when it holds none of them. The texts
// say nothing about the data the call asked for.
grpc::Status RequireScope(const CallerIdentifier& identifier, const grpc::ServerContext& ctx,
                          std::initializer_list<std::string_view> any_of,
                          ServiceCaller* caller = nullptr);

}  // namespace leadflow::auth
