#include "common/auth/caller_identifier.h"

#include <grpcpp/grpcpp.h>

namespace leadflow::auth {

grpc::Status RequireScope(const CallerIdentifier& identifier, const grpc::ServerContext& ctx,
                          std::initializer_list<std::string_view> any_of, ServiceCaller* caller) {
  std::optional<ServiceCaller> who = identifier.Identify(ctx);
  if (!who) {
    return {grpc::StatusCode::UNAUTHENTICATED,
            "a caller is required: present an API key (x-api-key or authorization: Bearer) or a "
            "client certificate listed in callers.json"};
  }
  for (std::string_view scope : any_of) {
    if (who->Has(scope)) {
      if (caller != nullptr) *caller = std::move(*who);
      return grpc::Status::OK;
    }
  }
  std::string wanted;
  for (std::string_view scope : any_of) {
    if (!wanted.empty()) wanted += " or ";
    wanted += scope;
  }
  return {grpc::StatusCode::PERMISSION_DENIED,
          "caller " + who->id + " needs scope " + wanted + " for this method"};
}

}  // namespace leadflow::auth
