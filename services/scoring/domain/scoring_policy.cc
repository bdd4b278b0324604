#include "scoring/domain/scoring_policy.h"

#include <cmath>
#include <initializer_list>
#include <unordered_set>

#include "leadflow/engagement/v1/engagement.pb.h"
#include "scoring/domain/text_key.h"

namespace leadflow::scoring {
namespace {

using leadflow::config::v1::ScoringModel;

Status Bad(const std::string& field, const std::string& what) {
  return Status::InvalidArgument("scoring model: " + field + ": " + what);
}

std::string At(const std::string& field, int i) { return field + "[" + std::to_string(i) + "]"; }

bool NonNegative(double v) { return std::isfinite(v) && v >= 0; }

// Every entry of a list of names must be non-empty once normalised.
Status NoEmptyKeys(const google::protobuf::RepeatedPtrField<std::string>& list,
                   const std::string& field) {
  for (int i = 0; i < list.size(); ++i) {
    if (NormalizeKey(list.Get(i)).empty()) return Bad(At(field, i), "must not be empty");
  }
  return Status::Ok();
}

Status ValidateScreening(const ScoringModel& m) {
  const auto& sc = m.screening();
  if (Status s = NoEmptyKeys(sc.excluded_industries(), "screening.excluded_industries"); !s.ok()) {
    return s;
  }
  if (sc.min_headcount() < 0) return Bad("screening.min_headcount", "must be >= 0");
  if (sc.min_annual_revenue_rub() < 0) {
    return Bad("screening.min_annual_revenue_rub", "must be >= 0");
  }
  if (Status s = NoEmptyKeys(sc.serviceable_regions(), "screening.serviceable_regions"); !s.ok()) {
    return s;
  }
  if (!std::isfinite(sc.min_revenue_growth_pct())) {
    return Bad("screening.min_revenue_growth_pct", "must be a number");
  }
  return Status::Ok();
}

Status ValidateSegmentsAndBands(const ScoringModel& m) {
  const auto& seg = m.segments();
  const std::pair<const char*, int64_t> thresholds[] = {
      {"segments.enterprise_min_revenue_rub", seg.enterprise_min_revenue_rub()},
      {"segments.enterprise_min_it_budget_rub", seg.enterprise_min_it_budget_rub()},
      {"segments.government_min_digitalisation_budget_rub",
       seg.government_min_digitalisation_budget_rub()},
      {"segments.infrastructure_min_ict_budget_rub", seg.infrastructure_min_ict_budget_rub()},
      {"segments.mid_market_min_revenue_rub", seg.mid_market_min_revenue_rub()},
      {"deal_bands.standard_min_rub", m.deal_bands().standard_min_rub()},
      {"deal_bands.large_min_rub", m.deal_bands().large_min_rub()},
  };
  for (const auto& [name, v] : thresholds) {
    if (v < 0) return Bad(name, "must be >= 0");
  }
  if (m.deal_bands().large_min_rub() < m.deal_bands().standard_min_rub()) {
    return Bad("deal_bands.large_min_rub", "must be >= deal_bands.standard_min_rub");
  }
  return Status::Ok();
}

Status ValidateBantMapping(const leadflow::config::v1::BantMapping& b, const std::string& f) {
  if (b.answer_key().empty()) return Bad(f + ".answer_key", "must not be empty");
  if (b.answer_key()[0] == '@' && b.answer_key() != "@decision_role" &&
      b.answer_key() != "@buyer_class") {
    return Bad(f + ".answer_key", "unknown inferred field (use @decision_role or @buyer_class)");
  }
  for (const auto& [answer, rating] : b.ratings()) {
    if (rating < 1 || rating > 5) {
      return Bad(f + ".ratings[\"" + answer + "\"]",
                 "rating " + std::to_string(rating) + " outside 1..5");
    }
  }
  if (b.default_rating() < 1 || b.default_rating() > 5) {
    return Bad(f + ".default_rating", "must be within 1..5");
  }
  return Status::Ok();
}

// One mapping per BANT factor, each well-formed.
Status ValidateBant(const ScoringModel& m) {
  std::unordered_set<int> factors;
  for (int i = 0; i < m.bant_size(); ++i) {
    const auto& b = m.bant(i);
    const std::string f = At("bant", i);
    if (!leadflow::common::v1::BantFactor_IsValid(b.factor()) ||
        b.factor() == leadflow::common::v1::BANT_FACTOR_UNSPECIFIED) {
      return Bad(f + ".factor", "must be BUDGET, ACCOUNT, NEED or TIME");
    }
    if (!factors.insert(b.factor()).second) return Bad(f + ".factor", "duplicate factor");
    if (Status s = ValidateBantMapping(b, f); !s.ok()) return s;
  }
  for (int f = leadflow::common::v1::BUDGET; f <= leadflow::common::v1::TIME; ++f) {
    if (!factors.count(f)) {
      return Bad("bant", std::string("missing mapping for factor ") +
                             leadflow::common::v1::BantFactor_Name(f));
    }
  }
  if (!NonNegative(m.bant_weight())) return Bad("bant_weight", "must be >= 0");
  return Status::Ok();
}

// A fit rule with an id of its own (`ids`: the ones before it).
Status ValidateFitRule(const leadflow::config::v1::FitRule& r, const std::string& f,
                       std::unordered_set<std::string>& ids) {
  if (r.rule_id().empty()) return Bad(f + ".rule_id", "must not be empty");
  if (!ids.insert(r.rule_id()).second) return Bad(f + ".rule_id", "duplicate rule id");
  if (!leadflow::common::v1::Segment_IsValid(r.segment())) return Bad(f + ".segment", "unknown");
  if (!leadflow::common::v1::BuyerClass_IsValid(r.buyer_class())) {
    return Bad(f + ".buyer_class", "unknown");
  }
  if (!leadflow::common::v1::DecisionRole_IsValid(r.decision_role())) {
    return Bad(f + ".decision_role", "unknown");
  }
  if (!std::isfinite(r.points())) return Bad(f + ".points", "must be a number");
  if (Status s = NoEmptyKeys(r.industries(), f + ".industries"); !s.ok()) return s;
  return NoEmptyKeys(r.region_prefixes(), f + ".region_prefixes");
}

Status ValidateFitRules(const ScoringModel& m) {
  std::unordered_set<std::string> ids;
  for (int i = 0; i < m.fit_rules_size(); ++i) {
    if (Status s = ValidateFitRule(m.fit_rules(i), At("fit_rules", i), ids); !s.ok()) return s;
  }
  return Status::Ok();
}

// Engagement rules, one per engagement type, and the half-life.
Status ValidateEngagement(const ScoringModel& m) {
  std::unordered_set<std::string> events;
  for (int i = 0; i < m.engagement_size(); ++i) {
    const auto& e = m.engagement(i);
    const std::string f = At("engagement", i);
    leadflow::engagement::v1::EngagementType type;
    if (!leadflow::engagement::v1::EngagementType_Parse(e.event_type(), &type) ||
        type == leadflow::engagement::v1::ENGAGEMENT_TYPE_UNSPECIFIED) {
      return Bad(f + ".event_type", "unknown engagement type");
    }
    if (!events.insert(e.event_type()).second) return Bad(f + ".event_type", "duplicate");
    if (!std::isfinite(e.points())) return Bad(f + ".points", "must be a number");
    if (e.daily_cap() < 0) return Bad(f + ".daily_cap", "must be >= 0");
  }
  if (!(std::isfinite(m.engagement_half_life_days()) && m.engagement_half_life_days() > 0)) {
    return Bad("engagement_half_life_days", "must be > 0");
  }
  return Status::Ok();
}

// The MQL threshold, the grade bands (strictly decreasing) and the named accounts.
Status ValidateGrades(const ScoringModel& m) {
  if (!NonNegative(m.mql_threshold())) return Bad("mql_threshold", "must be >= 0");
  if (m.grades().empty()) return Bad("grades", "must not be empty");
  for (int i = 0; i < m.grades_size(); ++i) {
    const auto& g = m.grades(i);
    const std::string f = At("grades", i);
    if (g.grade().empty()) return Bad(f + ".grade", "must not be empty");
    if (!std::isfinite(g.min_total())) return Bad(f + ".min_total", "must be a number");
    if (i > 0 && !(g.min_total() < m.grades(i - 1).min_total())) {
      return Bad(f + ".min_total", "grades must be ordered by strictly decreasing min_total");
    }
  }
  return NoEmptyKeys(m.named_accounts(), "named_accounts");
}

}  // namespace

// The model's parts in file order; the first problem found is reported.
Status ValidateScoringModel(const ScoringModel& m) {
  if (m.version().empty()) return Bad("version", "must not be empty");
  for (const auto check : {ValidateScreening, ValidateSegmentsAndBands, ValidateBant,
                           ValidateFitRules, ValidateEngagement, ValidateGrades}) {
    if (Status s = check(m); !s.ok()) return s;
  }
  return Status::Ok();
}

StatusOr<std::shared_ptr<const ScoringPolicy>> ScoringPolicy::Create(ScoringModel model) {
  if (Status s = ValidateScoringModel(model); !s.ok()) return s;
  return std::shared_ptr<const ScoringPolicy>(new ScoringPolicy(std::move(model)));
}

ScoringPolicy::ScoringPolicy(ScoringModel model)
    : model_(std::move(model)), screening_(model_.screening()) {
  for (int i = 0; i < model_.bant_size(); ++i) {
    const auto& b = model_.bant(i);
    mapping_index_[b.factor()] = i;
    auto& table = ratings_[b.factor()];
    for (const auto& [answer, rating] : b.ratings()) table[NormalizeKey(answer)] = rating;
  }
  for (const auto& a : model_.named_accounts()) named_accounts_.insert(NormalizeKey(a));
  for (const auto& r : model_.fit_rules()) {
    FitLists lists;
    for (const auto& i : r.industries()) lists.industries.push_back(NormalizeKey(i));
    for (const auto& p : r.region_prefixes()) lists.region_prefixes.push_back(NormalizeKey(p));
    fit_lists_.push_back(std::move(lists));
  }
  engagement_index_.assign(leadflow::engagement::v1::EngagementType_ARRAYSIZE, -1);
  for (int i = 0; i < model_.engagement_size(); ++i) {
    leadflow::engagement::v1::EngagementType type;
    if (leadflow::engagement::v1::EngagementType_Parse(model_.engagement(i).event_type(), &type)) {
      engagement_index_[type] = i;
    }
  }
}

int ScoringPolicy::EngagementRuleIndex(int engagement_type) const {
  if (engagement_type < 0 || engagement_type >= static_cast<int>(engagement_index_.size())) {
    return -1;
  }
  return engagement_index_[engagement_type];
}

const leadflow::config::v1::EngagementRule* ScoringPolicy::EngagementRuleFor(
    int engagement_type) const {
  const int i = EngagementRuleIndex(engagement_type);
  return i < 0 ? nullptr : &model_.engagement(i);
}

const leadflow::config::v1::BantMapping& ScoringPolicy::Mapping(
    leadflow::common::v1::BantFactor f) const {
  return model_.bant(mapping_index_.at(f));
}

int ScoringPolicy::Rating(leadflow::common::v1::BantFactor f, const std::string& answer) const {
  const auto table = ratings_.find(f);
  if (table == ratings_.end()) return 0;
  const auto it = table->second.find(NormalizeKey(answer));
  return it == table->second.end() ? 0 : it->second;
}

bool ScoringPolicy::IsNamedAccount(const std::string& account_key) const {
  return named_accounts_.count(NormalizeKey(account_key)) > 0;
}

}  // namespace leadflow::scoring
