#include "notifier/domain/notifier_policy.h"

#include <algorithm>

namespace leadflow::notifier {
namespace {

constexpr size_t kMinSecretBytes = 16;

Status FieldError(const std::string& field, const std::string& message) {
  return Status::InvalidArgument(field + ": " + message);
}

bool ValidEndpointId(const std::string& id) {
  if (id.empty() || id.size() > 40) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

bool ValidEnvName(const std::string& name) {
  if (name.empty() || name.size() > 128 || (name[0] >= '0' && name[0] <= '9')) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

bool ValidUrl(const std::string& url) {
  for (const char* scheme : {"http://", "https://"}) {
    const std::string s(scheme);
    if (url.rfind(s, 0) == 0 && url.size() > s.size() && url[s.size()] != '/') {
      return url.find_first_of(" \t\r\n") == std::string::npos;
    }
  }
  return false;
}

// A retry policy with every field set (an unset field takes `base`'s value).
StatusOr<RetryPolicy> MakeRetry(const config::v1::NotifierRetryPolicy& p, const RetryPolicy& base,
                                const std::string& field) {
  RetryPolicy r = base;
  if (p.max_attempts() != 0) r.max_attempts = p.max_attempts();
  if (p.initial_backoff_ms() != 0)
    r.initial_backoff = std::chrono::milliseconds(p.initial_backoff_ms());
  if (p.max_backoff_ms() != 0) r.max_backoff = std::chrono::milliseconds(p.max_backoff_ms());
  if (p.deadline_ms() != 0) r.deadline = std::chrono::milliseconds(p.deadline_ms());
  if (r.max_attempts < 1 || r.max_attempts > 20) {
    return FieldError(field + ".max_attempts",
                      "must be 1..20, got " + std::to_string(r.max_attempts));
  }
  if (r.initial_backoff.count() < 1 || r.initial_backoff.count() > 60000) {
    return FieldError(field + ".initial_backoff_ms",
                      "must be 1..60000, got " + std::to_string(r.initial_backoff.count()));
  }
  if (r.max_backoff < r.initial_backoff || r.max_backoff.count() > 300000) {
    return FieldError(field + ".max_backoff_ms", "must be initial_backoff_ms..300000, got " +
                                                     std::to_string(r.max_backoff.count()));
  }
  if (r.deadline.count() < 1 || r.deadline.count() > 120000) {
    return FieldError(field + ".deadline_ms",
                      "must be 1..120000, got " + std::to_string(r.deadline.count()));
  }
  return r;
}

// The endpoint's URL: `url`, or the value of the variable `url_env` names.
StatusOr<std::string> ResolveUrl(const config::v1::NotifierEndpoint& c, const std::string& f,
                                 const EnvLookup& env) {
  if (c.url().empty() == c.url_env().empty()) {
    return FieldError(f + ".url", "set exactly one of url and url_env");
  }
  std::string url = c.url();
  if (!c.url_env().empty()) {
    if (!ValidEnvName(c.url_env())) return FieldError(f + ".url_env", "not a variable name");
    auto v = env(c.url_env());
    if (!v || v->empty()) return FieldError(f + ".url_env", c.url_env() + " is not set");
    url = *v;
  }
  if (!ValidUrl(url)) {
    // The URL may hold a token (url_env): only the field is named then.
    return FieldError(c.url_env().empty() ? f + ".url" : f + ".url_env",
                      c.url_env().empty()
                          ? "must be an http:// or https:// URL, got \"" + url + "\""
                          : "the value of " + c.url_env() + " is not an http:// or https:// URL");
  }
  return url;
}

// The HMAC key from the variable `secret_env` names.
StatusOr<std::string> ResolveSecret(const config::v1::NotifierEndpoint& c, const std::string& f,
                                    const EnvLookup& env) {
  if (!ValidEnvName(c.secret_env())) {
    return FieldError(f + ".secret_env", "must name the variable holding the HMAC key");
  }
  auto secret = env(c.secret_env());
  if (!secret || secret->empty()) {
    return FieldError(f + ".secret_env", c.secret_env() + " is not set");
  }
  if (secret->size() < kMinSecretBytes) {
    return FieldError(f + ".secret_env", c.secret_env() + " holds fewer than " +
                                             std::to_string(kMinSecretBytes) + " bytes");
  }
  return *secret;
}

// Who and what: exactly one of team and rep_id, a known template (a chat id
// for TELEGRAM only) and known kinds.
Status CheckAudience(const config::v1::NotifierEndpoint& c, const std::string& f) {
  if (c.team().empty() == c.rep_id().empty()) {
    return FieldError(f + ".team", "set exactly one of team and rep_id");
  }
  if (c.template_() != config::v1::SLACK && c.template_() != config::v1::TELEGRAM &&
      c.template_() != config::v1::GENERIC_JSON) {
    return FieldError(f + ".template", "must be SLACK, TELEGRAM or GENERIC_JSON");
  }
  return Status::Ok();
}

Status CheckTelegramAndKinds(const config::v1::NotifierEndpoint& c, const std::string& f) {
  if (c.template_() == config::v1::TELEGRAM && c.telegram_chat_id().empty()) {
    return FieldError(f + ".telegram_chat_id", "required for TELEGRAM");
  }
  if (c.template_() != config::v1::TELEGRAM && !c.telegram_chat_id().empty()) {
    return FieldError(f + ".telegram_chat_id", "only for TELEGRAM");
  }
  for (int k = 0; k < c.kinds_size(); ++k) {
    if (!IsKnownKind(c.kinds(k))) {
      return FieldError(f + ".kinds[" + std::to_string(k) + "]",
                        "unknown kind \"" + c.kinds(k) + "\"");
    }
  }
  return Status::Ok();
}

// One endpoint, validated and resolved; errors name `f` (its field). `ids`:
// the ids taken so far.
StatusOr<Endpoint> MakeEndpoint(const config::v1::NotifierEndpoint& c, const std::string& f,
                                const RetryPolicy& defaults, const EnvLookup& env,
                                std::set<std::string>& ids) {
  if (!ValidEndpointId(c.id())) {
    return FieldError(f + ".id", "must match [a-z0-9_-]{1,40}, got \"" + c.id() + "\"");
  }
  if (!ids.insert(c.id()).second) return FieldError(f + ".id", "duplicate \"" + c.id() + "\"");
  if (Status s = CheckAudience(c, f); !s.ok()) return s;
  auto url = ResolveUrl(c, f, env);
  if (!url.ok()) return url.status();
  auto secret = ResolveSecret(c, f, env);
  if (!secret.ok()) return secret.status();
  if (Status s = CheckTelegramAndKinds(c, f); !s.ok()) return s;
  auto retry = MakeRetry(c.retry(), defaults, f + ".retry");
  if (!retry.ok()) return retry.status();
  Endpoint e;
  e.id = c.id();
  e.team = c.team();
  e.rep_id = c.rep_id();
  e.template_kind = c.template_();
  e.url = *url;
  e.secret = *secret;
  e.telegram_chat_id = c.telegram_chat_id();
  e.kinds.insert(c.kinds().begin(), c.kinds().end());
  e.retry = *retry;
  return e;
}

}  // namespace

std::string TemplateName(WebhookTemplate t) {
  switch (t) {
    case config::v1::SLACK:
      return "SLACK";
    case config::v1::TELEGRAM:
      return "TELEGRAM";
    case config::v1::GENERIC_JSON:
      return "GENERIC_JSON";
    default:
      return "UNSPECIFIED";
  }
}

std::string Endpoint::Target() const { return team.empty() ? "rep:" + rep_id : "team:" + team; }

StatusOr<std::shared_ptr<const NotifierPolicy>> NotifierPolicy::Create(
    const config::v1::NotifierConfig& config, const EnvLookup& env) {
  std::shared_ptr<NotifierPolicy> p(new NotifierPolicy());
  if (config.version().empty()) return FieldError("version", "must be set");
  p->version_ = config.version();
  if (config.attempt_timeout_ms() < 0 || config.attempt_timeout_ms() > 60000) {
    return FieldError("attempt_timeout_ms", "must be 1..60000 (0: 5000), got " +
                                                std::to_string(config.attempt_timeout_ms()));
  }
  if (config.attempt_timeout_ms() > 0) {
    p->attempt_timeout_ = std::chrono::milliseconds(config.attempt_timeout_ms());
  }
  if (config.max_parallel_deliveries() < 0 || config.max_parallel_deliveries() > 256) {
    return FieldError(
        "max_parallel_deliveries",
        "must be 1..256 (0: 16), got " + std::to_string(config.max_parallel_deliveries()));
  }
  if (config.max_parallel_deliveries() > 0) p->max_parallel_ = config.max_parallel_deliveries();
  auto defaults = MakeRetry(config.default_retry(), RetryPolicy{}, "default_retry");
  if (!defaults.ok()) return defaults.status();
  std::set<std::string> ids;
  for (int i = 0; i < config.endpoints_size(); ++i) {
    const auto& c = config.endpoints(i);
    const std::string f = "endpoints[" + std::to_string(i) + "]";
    auto e = MakeEndpoint(c, f, *defaults, env, ids);
    if (!e.ok()) return e.status();
    p->endpoints_.push_back(std::move(*e));
  }
  return std::shared_ptr<const NotifierPolicy>(std::move(p));
}

std::vector<const Endpoint*> NotifierPolicy::EndpointsFor(const Notification& n) const {
  std::vector<const Endpoint*> out;
  for (const auto& e : endpoints_) {
    if (!e.kinds.empty() && !e.kinds.count(n.kind)) continue;
    const bool match =
        e.team.empty() ? std::find(n.rep_ids.begin(), n.rep_ids.end(), e.rep_id) != n.rep_ids.end()
                       : std::find(n.teams.begin(), n.teams.end(), e.team) != n.teams.end();
    if (match) out.push_back(&e);
  }
  return out;
}

}  // namespace leadflow::notifier
