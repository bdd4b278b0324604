// Who may submit over the synchronous APIs (gRPC SubmitLead, HTTP POST
// /v1/leads): one API key per configured source, stored in intake.json only
// as its SHA-256 (sources[].api_key_sha256), and a per-source token-bucket
// rate limit (sources[].rate_per_second, burst = one second's worth).
//
// The key names the source. A submission must carry that source's id (an
// empty source_id is filled in from the key); another source's id is a
// PERMISSION_DENIED / 403. A source without a key can submit only through the
// leads.submitted topic, which is trusted by broker ACLs and never checked.
//
// Thread-safe; holds references to the clock, which must outlive it. Never
// logs keys or digests.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "common/auth/api_keys.h"
#include "common/auth/rate_limiter.h"
#include "common/util/clock.h"
#include "intake/domain/intake_policy.h"
#include "leadflow/intake/v1/intake.pb.h"

namespace leadflow::intake {

enum class AccessOutcome { kAllowed, kUnauthenticated, kRateLimited };

struct AccessDecision {
  AccessOutcome outcome = AccessOutcome::kUnauthenticated;
  std::string source_id;  // the key's source (kAllowed, kRateLimited)
};

class SourceAccess {
 public:
  // kInvalidArgument naming the source entry for an unusable digest.
  static StatusOr<std::unique_ptr<SourceAccess>> Create(const IntakePolicy& policy,
                                                        const Clock& clock);

  // Authenticates `api_key` (nullopt = none presented), then takes one token
  // from its source's bucket.
  AccessDecision Check(const std::optional<std::string>& api_key);

 private:
  SourceAccess(auth::ApiKeyRegistry keys, const Clock& clock)
      : keys_(std::move(keys)), limiter_(clock) {}

  auth::ApiKeyRegistry keys_;
  auth::RateLimiter limiter_;
};

// Binds a submission to its authenticated source: fills an empty source_id,
// returns false when it names a different source.
bool BindSource(const std::string& authenticated_source,
                leadflow::intake::v1::LeadSubmission* submission);

}  // namespace leadflow::intake
