#include "intake/app/source_access.h"

#include "common/auth/rate_limiter.h"

namespace leadflow::intake {

StatusOr<std::unique_ptr<SourceAccess>> SourceAccess::Create(const IntakePolicy& policy,
                                                             const Clock& clock) {
  return Create(policy, std::make_unique<auth::RateLimiter>(clock));
}

StatusOr<std::unique_ptr<SourceAccess>> SourceAccess::Create(
    const IntakePolicy& policy, std::unique_ptr<auth::KeyRateLimiter> limiter) {
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
  std::unique_ptr<SourceAccess> access(new SourceAccess(std::move(*keys), std::move(limiter)));
  for (const auto& s : policy.config().sources()) {
    access->limiter_->SetLimit(s.source_id(), s.rate_per_second(), 0);
  }
  return access;
}

AccessDecision SourceAccess::Check(const std::optional<std::string>& api_key) {
  AccessDecision d;
  if (!api_key) return d;
  std::optional<std::string> source = keys_.Authenticate(*api_key);
  if (!source) return d;
  d.source_id = std::move(*source);
  switch (limiter_->Acquire(d.source_id)) {
    case auth::RateDecision::kAllowed:
      d.outcome = AccessOutcome::kAllowed;
      break;
    case auth::RateDecision::kLimited:
      d.outcome = AccessOutcome::kRateLimited;
      break;
    case auth::RateDecision::kUnavailable:
      d.outcome = AccessOutcome::kRateLimited;
      d.limit_unavailable = true;
      break;
  }
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

Refusal RefusalOf(const AccessDecision& decision) {
  switch (decision.outcome) {
    case AccessOutcome::kUnauthenticated:
      return Refusal::kUnauthenticated;
    case AccessOutcome::kRateLimited:
      return decision.limit_unavailable ? Refusal::kLimitUnavailable : Refusal::kRateLimited;
    case AccessOutcome::kAllowed:
      break;
  }
  return Refusal::kNone;
}

const char* RefusalLabel(Refusal refusal) {
  // In the order of the enum.
  static constexpr const char* kLabels[] = {"", "UNAUTHENTICATED", "RATE_LIMIT_UNAVAILABLE",
                                            "RATE_LIMITED", "SOURCE_MISMATCH"};
  return kLabels[static_cast<int>(refusal)];
}

}  // namespace leadflow::intake
