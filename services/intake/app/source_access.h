// Who may submit over the synchronous APIs (gRPC SubmitLead, HTTP POST
// /v1/leads): one API key per configured source, stored in intake.json only
// as its SHA-256 (sources[].api_key_sha256), and a per-source token-bucket
// rate limit (sources[].rate_per_second, burst = one second's worth). The
// service uses buckets in Redis shared by every replica
// (ratelimit::RedisRateLimiter), so the limit holds for the whole fleet; when
// they cannot be checked the request is refused (limit_unavailable: UNAVAILABLE
// / 503, retryable), never allowed (docs/security.md, "Rate limits").
//
// The key names the source. A submission must carry that source's id (an
// empty source_id is filled in from the key); another source's id is a
// PERMISSION_DENIED / 403. A source without a key can submit only through the
// leads.submitted topic, which is trusted by broker ACLs and never checked.
//
// Thread-safe; owns its limiter (the Redis one holds a reference to the
// client, and the local one to the clock: those must outlive it). Never logs
// keys or digests.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "common/auth/api_keys.h"
#include "common/auth/key_rate_limiter.h"
#include "common/util/clock.h"
#include "intake/domain/intake_policy.h"
#include "leadflow/intake/v1/intake.pb.h"

namespace leadflow::intake {

enum class AccessOutcome {
  kAllowed,
  kUnauthenticated,
  // Refused by the rate limit: the source's bucket is empty (RESOURCE_EXHAUSTED
  // / 429), or, with AccessDecision::limit_unavailable, the bucket could not
  // be checked (UNAVAILABLE / 503). Never kAllowed when unchecked.
  kRateLimited,
};

struct AccessDecision {
  AccessOutcome outcome = AccessOutcome::kUnauthenticated;
  std::string source_id;  // the key's source (kAllowed, kRateLimited)
  // kRateLimited only: the limit was not exceeded but could not be checked
  // (Redis unreachable or refusing). The caller should answer UNAVAILABLE /
  // 503 (retryable) rather than 429; either way the request is refused.
  bool limit_unavailable = false;
};

class SourceAccess {
 public:
  // kInvalidArgument naming the source entry for an unusable digest. Sets
  // each source's limit on `limiter` (burst = one second's worth).
  static StatusOr<std::unique_ptr<SourceAccess>> Create(
      const IntakePolicy& policy, std::unique_ptr<auth::KeyRateLimiter> limiter);
  // With in-process buckets (auth::RateLimiter on `clock`): one replica only,
  // e.g. tests.
  static StatusOr<std::unique_ptr<SourceAccess>> Create(const IntakePolicy& policy,
                                                        const Clock& clock);

  // Authenticates `api_key` (nullopt = none presented), then takes one token
  // from its source's bucket.
  AccessDecision Check(const std::optional<std::string>& api_key);

 private:
  SourceAccess(auth::ApiKeyRegistry keys, std::unique_ptr<auth::KeyRateLimiter> limiter)
      : keys_(std::move(keys)), limiter_(std::move(limiter)) {}

  auth::ApiKeyRegistry keys_;
  std::unique_ptr<auth::KeyRateLimiter> limiter_;
};

// Why a request is refused before it is processed, the same over gRPC and
// HTTP (each answers it in its own way).
enum class Refusal {
  kNone,
  kUnauthenticated,   // UNAUTHENTICATED / 401
  kLimitUnavailable,  // the rate limit could not be checked: UNAVAILABLE / 503
  kRateLimited,       // RESOURCE_EXHAUSTED / 429
  kSourceMismatch,    // the submission names another source: PERMISSION_DENIED / 403
};

// The refusal of an access decision (kNone when allowed).
Refusal RefusalOf(const AccessDecision& decision);
// Its label in leads_rejected_total{reason}, e.g. "RATE_LIMITED" ("" for kNone).
const char* RefusalLabel(Refusal refusal);

// Binds a submission to its authenticated source: fills an empty source_id,
// returns false when it names a different source.
bool BindSource(const std::string& authenticated_source,
                leadflow::intake::v1::LeadSubmission* submission);

}  // namespace leadflow::intake
