#include "intake/domain/intake_policy.h"

#include <initializer_list>
#include <unordered_set>

#include "intake/domain/campaign_id.h"
#include "intake/domain/text.h"

namespace leadflow::intake {
namespace {

using leadflow::common::v1::BuyerClass_IsValid;
using leadflow::common::v1::BuyerStage_IsValid;
using leadflow::common::v1::DecisionRole_IsValid;

Status Bad(const std::string& field, const std::string& what) {
  return Status::InvalidArgument("intake config: " + field + ": " + what);
}

std::string At(const std::string& field, int i) { return field + "[" + std::to_string(i) + "]"; }

bool IsHex64(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

Status ValidateLimits(const leadflow::config::v1::IntakeConfig& c) {
  if (c.max_payload_bytes() <= 0) return Bad("max_payload_bytes", "must be > 0");
  if (c.max_string_length() <= 0) return Bad("max_string_length", "must be > 0");
  if (c.dedupe_window_seconds() <= 0) return Bad("dedupe_window_seconds", "must be > 0");
  return Status::Ok();
}

Status ValidateFreeMail(const leadflow::config::v1::IntakeConfig& c) {
  if (c.free_mail_domains().empty()) return Bad("free_mail_domains", "must not be empty");
  for (int i = 0; i < c.free_mail_domains_size(); ++i) {
    const std::string_view d = TrimAscii(c.free_mail_domains(i));
    if (d.empty()) return Bad(At("free_mail_domains", i), "must not be empty");
    if (d.find('@') != std::string_view::npos) {
      return Bad(At("free_mail_domains", i), "must be a domain, without '@'");
    }
  }
  return Status::Ok();
}

Status ValidateTitleRule(const leadflow::config::v1::TitleRule& r, const std::string& f) {
  if (r.contains().empty()) return Bad(f + ".contains", "must not be empty");
  for (int k = 0; k < r.contains_size(); ++k) {
    if (TrimAscii(r.contains(k)).empty()) return Bad(At(f + ".contains", k), "must not be empty");
    if (!IsValidUtf8(r.contains(k))) return Bad(At(f + ".contains", k), "must be valid UTF-8");
  }
  if (!BuyerClass_IsValid(r.buyer_class())) return Bad(f + ".buyer_class", "unknown value");
  if (!DecisionRole_IsValid(r.decision_role())) return Bad(f + ".decision_role", "unknown value");
  if (r.buyer_class() == leadflow::common::v1::BUYER_CLASS_UNSPECIFIED &&
      r.decision_role() == leadflow::common::v1::DECISION_ROLE_UNSPECIFIED) {
    return Bad(f, "must set buyer_class or decision_role");
  }
  return Status::Ok();
}

Status ValidateTitleRules(const leadflow::config::v1::IntakeConfig& c) {
  if (c.title_rules().empty()) return Bad("title_rules", "must not be empty");
  for (int i = 0; i < c.title_rules_size(); ++i) {
    if (Status s = ValidateTitleRule(c.title_rules(i), At("title_rules", i)); !s.ok()) return s;
  }
  return Status::Ok();
}

bool IsBuyerStage(leadflow::common::v1::BuyerStage stage) {
  return BuyerStage_IsValid(stage) && stage != leadflow::common::v1::BUYER_STAGE_UNSPECIFIED;
}

Status ValidateIntentRules(const leadflow::config::v1::IntakeConfig& c) {
  std::unordered_set<std::string> intents;
  for (int i = 0; i < c.intent_rules_size(); ++i) {
    const auto& r = c.intent_rules(i);
    const std::string f = At("intent_rules", i);
    const std::string intent = AsciiLower(TrimAscii(r.intent()));
    if (intent.empty()) return Bad(f + ".intent", "must not be empty");
    if (!intents.insert(intent).second) return Bad(f + ".intent", "duplicate intent");
    if (!IsBuyerStage(r.buyer_stage())) return Bad(f + ".buyer_stage", "must be a buyer stage");
  }
  if (!IsBuyerStage(c.default_buyer_stage())) {
    return Bad("default_buyer_stage", "must be a buyer stage");
  }
  return Status::Ok();
}

// A source with an id of its own (`ids`: the ones before it).
Status ValidateSource(const leadflow::config::v1::Source& s, const std::string& f,
                      std::unordered_set<std::string>& ids) {
  if (s.source_id().empty()) return Bad(f + ".source_id", "must not be empty");
  if (!ids.insert(s.source_id()).second) return Bad(f + ".source_id", "duplicate source");
  if (!s.api_key_sha256().empty() && !IsHex64(s.api_key_sha256())) {
    return Bad(f + ".api_key_sha256", "must be 64 hex digits");
  }
  if (!(s.rate_per_second() >= 0)) return Bad(f + ".rate_per_second", "must be >= 0");
  return Status::Ok();
}

Status ValidateSources(const leadflow::config::v1::IntakeConfig& c) {
  std::unordered_set<std::string> ids;
  for (int i = 0; i < c.sources_size(); ++i) {
    if (Status s = ValidateSource(c.sources(i), At("sources", i), ids); !s.ok()) return s;
  }
  return Status::Ok();
}

Status ValidateCampaigns(const leadflow::config::v1::IntakeConfig& c) {
  std::unordered_set<std::string> campaigns;
  for (int i = 0; i < c.campaigns_size(); ++i) {
    const std::string& id = c.campaigns(i);
    const std::string f = At("campaigns", i);
    if (!IsCampaignSlug(id)) {
      return Bad(
          f, "must be 1.." + std::to_string(kMaxCampaignIdLength) + " characters from [a-z0-9-_.]");
    }
    if (id == kOtherCampaign) return Bad(f, "\"other\" is reserved for unknown campaigns");
    if (!campaigns.insert(id).second) return Bad(f, "duplicate campaign");
  }
  return Status::Ok();
}

}  // namespace

// The config's parts in file order; the first problem found is reported.
Status ValidateIntakeConfig(const leadflow::config::v1::IntakeConfig& c) {
  for (const auto check : {ValidateLimits, ValidateFreeMail, ValidateTitleRules,
                           ValidateIntentRules, ValidateSources, ValidateCampaigns}) {
    if (Status s = check(c); !s.ok()) return s;
  }
  return Status::Ok();
}

StatusOr<std::shared_ptr<const IntakePolicy>> IntakePolicy::Create(
    leadflow::config::v1::IntakeConfig config) {
  if (Status s = ValidateIntakeConfig(config); !s.ok()) return s;
  return std::shared_ptr<const IntakePolicy>(new IntakePolicy(std::move(config)));
}

IntakePolicy::IntakePolicy(leadflow::config::v1::IntakeConfig config) : config_(std::move(config)) {
  for (const auto& d : config_.free_mail_domains()) free_mail_.insert(AsciiLower(TrimAscii(d)));
  for (const auto& r : config_.title_rules()) {
    TitleRule rule;
    for (const auto& n : r.contains()) rule.needles.push_back(Utf8Lower(TrimAscii(n)));
    rule.inference.buyer_class = r.buyer_class();
    rule.inference.decision_role = r.decision_role();
    title_rules_.push_back(std::move(rule));
  }
  for (const auto& r : config_.intent_rules()) {
    intents_[AsciiLower(TrimAscii(r.intent()))] = r.buyer_stage();
  }
  for (const auto& s : config_.sources()) {
    sources_.insert(s.source_id());
    if (s.marketing()) marketing_sources_.insert(s.source_id());
  }
  for (const auto& id : config_.campaigns()) campaigns_.insert(id);
}

bool IntakePolicy::IsFreeMail(std::string_view domain) const {
  return free_mail_.count(std::string(domain)) > 0;
}

std::optional<TitleInference> IntakePolicy::InferFromTitle(std::string_view job_title) const {
  const std::string title = Utf8Lower(TrimAscii(job_title));
  if (title.empty()) return std::nullopt;
  for (const auto& rule : title_rules_) {
    for (const auto& needle : rule.needles) {
      if (title.find(needle) != std::string::npos) return rule.inference;
    }
  }
  return std::nullopt;
}

leadflow::common::v1::BuyerStage IntakePolicy::StageForIntent(std::string_view intent) const {
  const auto it = intents_.find(AsciiLower(TrimAscii(intent)));
  return it == intents_.end() ? config_.default_buyer_stage() : it->second;
}

bool IntakePolicy::IsConfiguredSource(std::string_view source_id) const {
  return sources_.count(std::string(source_id)) > 0;
}

std::string IntakePolicy::SourceLabel(std::string_view source_id) const {
  return IsConfiguredSource(source_id) ? std::string(source_id) : "other";
}

bool IntakePolicy::IsMarketingSource(std::string_view source_id) const {
  return marketing_sources_.count(std::string(source_id)) > 0;
}

std::string IntakePolicy::CampaignFor(std::string_view submitted_campaign_id) const {
  const std::string_view trimmed = TrimAscii(submitted_campaign_id);
  if (trimmed.empty()) return "";
  std::string id = AsciiLower(trimmed);
  if (campaigns_.count(id) > 0) return id;
  return std::string(kOtherCampaign);
}

}  // namespace leadflow::intake
