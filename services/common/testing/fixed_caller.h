// A CallerIdentifier that names the same caller for every call, for tests of
// a gRPC service's own logic that call its methods directly (a bare
// grpc::ServerContext carries no credentials). The refusals themselves are
// tested over real gRPC with RegistryCallerIdentifier (tests/e2e).
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "common/auth/caller_identifier.h"

namespace leadflow::testing {

class FixedCaller final : public auth::CallerIdentifier {
 public:
  // Nobody: every call is unauthenticated.
  FixedCaller() = default;
  explicit FixedCaller(auth::ServiceCaller caller) : caller_(std::move(caller)) {}
  // A caller holding `scopes` (and acting for `rep_id`, if given).
  static FixedCaller With(std::initializer_list<std::string_view> scopes, std::string rep_id = "") {
    auth::ServiceCaller c{"test-caller", {}, std::move(rep_id)};
    for (auto s : scopes) c.scopes.emplace(s);
    return FixedCaller(std::move(c));
  }

  std::optional<auth::ServiceCaller> Identify(const grpc::ServerContext&) const override {
    return caller_;
  }

 private:
  std::optional<auth::ServiceCaller> caller_;
};

}  // namespace leadflow::testing
