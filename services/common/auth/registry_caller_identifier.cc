#include "common/auth/registry_caller_identifier.h"

#include <grpcpp/grpcpp.h>

#include "common/auth/api_keys.h"
#include "common/auth/scopes.h"
#include "common/config/proto_loader.h"
#include "leadflow/config/v1/callers.pb.h"

namespace leadflow::auth {

PresentedCredentials CredentialsOf(const grpc::ServerContext& ctx) {
  PresentedCredentials presented;
  const auto& md = ctx.client_metadata();
  presented.api_key = ExtractApiKey([&md](const std::string& name) -> std::optional<std::string> {
    auto it = md.find(name);
    if (it == md.end()) return std::nullopt;
    return std::string(it->second.data(), it->second.size());
  });
  if (auto ac = ctx.auth_context(); ac && ac->IsPeerAuthenticated()) {
    for (const auto& v : ac->FindPropertyValues("x509_common_name")) {
      presented.cert_cn.assign(v.data(), v.size());
      break;
    }
  }
  return presented;
}

StatusOr<std::unique_ptr<RegistryCallerIdentifier>> RegistryCallerIdentifier::Load(
    const std::string& path) {
  leadflow::config::v1::Callers file;
  if (Status s = config::LoadProtoFile(path, &file); !s.ok()) return s;
  std::vector<CallerRegistry::Entry> entries;
  for (const auto& c : file.callers()) {
    entries.push_back({c.caller_id(), c.api_key_sha256(), c.client_cert_cn(),
                       {c.scopes().begin(), c.scopes().end()}, c.rep_id()});
  }
  auto registry = CallerRegistry::Create(
      entries, std::vector<std::string_view>(scopes::kAll.begin(), scopes::kAll.end()));
  if (!registry.ok()) {
    return Status::InvalidArgument(path + ": " + registry.status().message());
  }
  return std::make_unique<RegistryCallerIdentifier>(std::move(*registry));
}

std::optional<ServiceCaller> RegistryCallerIdentifier::Identify(
    const grpc::ServerContext& ctx) const {
  PresentedCredentials presented = CredentialsOf(ctx);
  return registry_.Identify(presented.api_key, presented.cert_cn);
}

}  // namespace leadflow::auth
