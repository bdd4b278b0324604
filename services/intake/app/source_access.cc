#include "intake/app/source_access.h"

namespace leadflow::intake {

StatusOr<std::unique_ptr<SourceAccess>> SourceAccess::Create(const IntakePolicy& policy,
                                                             const Clock& clock) {
  std::vector<auth::ApiKeyRegistry::Entry> entries;
  for (const auto& s : policy.config().sources()) {
    entries.push_back({s.source_id(), s.api_key_sha256()});
  }
  auto keys = auth::ApiKeyRegistry::Create(entries);
  if (!keys.ok()) {
    std::string msg = "sources" + keys.status().message();
    if (auto at = msg.find("key_sha256_hex"); at != std::string::npos) {
      msg.replace(at, std::string("key_sha256_hex").size(), "api_key_sha256");
    }
    return Status::InvalidArgument(msg);
  }
  std::unique_ptr<SourceAccess> access(new SourceAccess(std::move(*keys), clock));
  for (const auto& s : policy.config().sources()) {
    access->limiter_.SetLimit(s.source_id(), s.rate_per_second());
  }
  return access;
}

AccessDecision SourceAccess::Check(const std::optional<std::string>& api_key) {
  AccessDecision d;
  if (!api_key) return d;
  std::optional<std::string> source = keys_.Authenticate(*api_key);
  if (!source) return d;
  d.source_id = std::move(*source);
  d.outcome =
      limiter_.TryAcquire(d.source_id) ? AccessOutcome::kAllowed : AccessOutcome::kRateLimited;
  return d;
}

bool BindSource(const std::string& authenticated_source,
                leadflow::intake::v1::LeadSubmission* submission) {
  if (submission->source_id().empty()) {
    submission->set_source_id(authenticated_source);
    return true;
  }
  return submission->source_id() == authenticated_source;
}

}  // namespace leadflow::intake
