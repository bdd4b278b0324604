// The validated, immutable form of IntakeConfig (config/intake.json).
//
// IntakePolicy::Create() checks the config once at load and pre-computes the
// lookups (lower-cased free-mail set, title rules, intent map, source ids,
// marketing sources, campaign ids);
// errors name the offending field, e.g. "title_rules[2].contains[0]: must not
// be empty". The object is immutable afterwards and safe to share between
// threads (hold it by shared_ptr so a later hot reload can swap it).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/util/status.h"
#include "leadflow/config/v1/intake_config.pb.h"

namespace leadflow::intake {

// What a job title implies (either part may be UNSPECIFIED).
struct TitleInference {
  leadflow::common::v1::BuyerClass buyer_class = leadflow::common::v1::BUYER_CLASS_UNSPECIFIED;
  leadflow::common::v1::DecisionRole decision_role =
      leadflow::common::v1::DECISION_ROLE_UNSPECIFIED;
};

class IntakePolicy {
 public:
  static StatusOr<std::shared_ptr<const IntakePolicy>> Create(
      leadflow::config::v1::IntakeConfig config);

  const leadflow::config::v1::IntakeConfig& config() const { return config_; }
  size_t max_payload_bytes() const { return static_cast<size_t>(config_.max_payload_bytes()); }
  size_t max_string_length() const { return static_cast<size_t>(config_.max_string_length()); }
  int64_t dedupe_window_seconds() const { return config_.dedupe_window_seconds(); }

  // `domain` must be lower-case.
  bool IsFreeMail(std::string_view domain) const;
  // First title rule whose `contains` entry is a substring of the lower-cased
  // title (Russian or English); nullopt when none matches.
  std::optional<TitleInference> InferFromTitle(std::string_view job_title) const;
  // The stage for an intent (trimmed, ASCII-lower-cased), else the default.
  leadflow::common::v1::BuyerStage StageForIntent(std::string_view intent) const;
  bool IsConfiguredSource(std::string_view source_id) const;
  // A bounded metrics label: the source id if configured, else "other".
  std::string SourceLabel(std::string_view source_id) const;
  // True when `source_id` is a configured source with `marketing` set: its
  // leads count as marketing-sourced (LeadMeta.marketing_sourced). An
  // unconfigured source is not a marketing channel.
  bool IsMarketingSource(std::string_view source_id) const;
  // The bounded LeadMeta.campaign_id for a submitted campaign id: "" when it
  // is empty after trimming ASCII whitespace; the configured id when the
  // trimmed, ASCII-lower-cased value is one of `campaigns`; else
  // kOtherCampaign ("other", campaign_id.h).
  std::string CampaignFor(std::string_view submitted_campaign_id) const;

 private:
  struct TitleRule {
    std::vector<std::string> needles;  // lower-cased
    TitleInference inference;
  };
  explicit IntakePolicy(leadflow::config::v1::IntakeConfig config);

  leadflow::config::v1::IntakeConfig config_;
  std::unordered_set<std::string> free_mail_;
  std::vector<TitleRule> title_rules_;
  std::unordered_map<std::string, leadflow::common::v1::BuyerStage> intents_;
  std::unordered_set<std::string> sources_;
  std::unordered_set<std::string> marketing_sources_;
  std::unordered_set<std::string> campaigns_;
};

// Validates an IntakeConfig; the first problem is returned as
// kInvalidArgument naming the field.
Status ValidateIntakeConfig(const leadflow::config::v1::IntakeConfig& config);

}  // namespace leadflow::intake
