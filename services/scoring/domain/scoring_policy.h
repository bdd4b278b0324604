// The validated, immutable form of a ScoringModel (config/scoring_model.json,
// or an Explain what-if candidate).
//
// ScoringPolicy::Create() validates once (errors name the field, e.g.
// "bant[1].ratings[\"x\"]: rating 7 outside 1..5") and pre-computes lookups
// (lower-cased rating tables, named-account set). Immutable afterwards and
// safe to share between threads via shared_ptr (a later hot reload swaps it).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "common/util/status.h"
#include "leadflow/config/v1/scoring_model.pb.h"
#include "scoring/domain/screening.h"

namespace leadflow::scoring {

// Validates a ScoringModel; returns the first problem as kInvalidArgument
// naming the field. Rules: version non-empty; engagement_half_life_days > 0;
// bant_weight, mql_threshold and every threshold >= 0; exactly one BANT
// mapping per factor with a non-empty answer_key, ratings and default_rating
// within 1..5; deal bands standard_min <= large_min; fit rule ids non-empty
// and unique, enums known, industries / region prefixes non-empty; engagement
// event types known, daily_cap >= 0;
// grades non-empty, named, ordered by strictly decreasing min_total;
// named_accounts non-empty strings.
Status ValidateScoringModel(const leadflow::config::v1::ScoringModel& model);

class ScoringPolicy {
 public:
  static StatusOr<std::shared_ptr<const ScoringPolicy>> Create(
      leadflow::config::v1::ScoringModel model);

  const leadflow::config::v1::ScoringModel& model() const { return model_; }
  const std::string& version() const { return model_.version(); }

  // The BANT mapping of a factor (always present after validation).
  const leadflow::config::v1::BantMapping& Mapping(leadflow::common::v1::BantFactor f) const;
  // The rating of an answer (trimmed, lower-cased), or 0 when not in the table.
  int Rating(leadflow::common::v1::BantFactor f, const std::string& answer) const;
  // `account_key` is compared lower-cased.
  bool IsNamedAccount(const std::string& account_key) const;
  // The engagement rule of an EngagementType value, or nullptr when the model
  // gives that type no points (e.g. UNSUBSCRIBED).
  const leadflow::config::v1::EngagementRule* EngagementRuleFor(int engagement_type) const;
  // fit_rules()[i]'s industries and region prefixes, normalised (NormalizeKey).
  struct FitLists {
    std::vector<std::string> industries;
    std::vector<std::string> region_prefixes;
  };
  const FitLists& Fit(int rule_index) const { return fit_lists_[rule_index]; }
  // The screening rules with pre-normalised lists.
  const NormalizedScreening& screening() const { return screening_; }
  // Its index in model().engagement(), or -1.
  int EngagementRuleIndex(int engagement_type) const;

 private:
  explicit ScoringPolicy(leadflow::config::v1::ScoringModel model);

  leadflow::config::v1::ScoringModel model_;
  std::map<int, int> mapping_index_;                   // factor -> index in model_.bant()
  std::map<int, std::map<std::string, int>> ratings_;  // factor -> lower-cased answer -> 1..5
  std::unordered_set<std::string> named_accounts_;
  NormalizedScreening screening_;
  std::vector<FitLists> fit_lists_;
  std::vector<int> engagement_index_;  // EngagementType value -> index in model_.engagement(), -1
};

}  // namespace leadflow::scoring
