#include "scoring/domain/scorer.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <charconv>
#include <initializer_list>
#include <optional>
#include <utility>

#include "leadflow/engagement/v1/engagement.pb.h"
#include "scoring/domain/screening.h"
#include "scoring/domain/segmentation.h"
#include "scoring/domain/text_key.h"

namespace leadflow::scoring {
namespace {

using leadflow::common::v1::BantFactor;
using leadflow::scoring::v1::LeadScored;
using leadflow::scoring::v1::RuleContribution;

constexpr BantFactor kFactors[] = {leadflow::common::v1::BUDGET, leadflow::common::v1::ACCOUNT,
                                   leadflow::common::v1::NEED, leadflow::common::v1::TIME};

const char* FactorRuleId(BantFactor f) {
  switch (f) {
    case leadflow::common::v1::BUDGET:
      return "bant.budget";
    case leadflow::common::v1::ACCOUNT:
      return "bant.account";
    case leadflow::common::v1::NEED:
      return "bant.need";
    default:
      return "bant.time";
  }
}

using Inputs = std::initializer_list<std::pair<const char*, std::string>>;

// Appends contributions to a score that may be reused (ScoreLeadInto): the
// i-th contribution object, its strings and its input map nodes are recycled
// when present, so a warm score allocates little.
class Contributions {
 public:
  explicit Contributions(LeadScored* s) : s_(s) {}
  RuleContribution* Add(const std::string& rule_id, double points, Inputs inputs = {}) {
    RuleContribution* c = Next();
    c->set_rule_id(rule_id);
    return Fill(c, points, inputs);
  }
  RuleContribution* Add(const char* rule_id, double points, Inputs inputs = {}) {
    RuleContribution* c = Next();
    c->set_rule_id(rule_id);
    return Fill(c, points, inputs);
  }
  // Drops what a previous use left beyond the contributions added now.
  void Finish() {
    while (s_->contributions_size() > n_) s_->mutable_contributions()->RemoveLast();
  }

 private:
  RuleContribution* Next() {
    return n_++ < s_->contributions_size() ? s_->mutable_contributions(n_ - 1)
                                           : s_->add_contributions();
  }
  static RuleContribution* Fill(RuleContribution* c, double points, Inputs inputs) {
    c->set_points(points);
    c->clear_note();
    auto& m = *c->mutable_inputs();
    bool same_keys = m.size() == inputs.size();
    for (auto it = inputs.begin(); same_keys && it != inputs.end(); ++it) {
      same_keys = m.find(it->first) != m.end();
    }
    if (!same_keys) m.clear();
    for (const auto& [k, v] : inputs) m[k] = v;
    return c;
  }
  LeadScored* s_;
  int n_ = 0;
};

// Shortest round-trip text: 0.2 -> "0.2", 14 -> "14".
std::string Num(double v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, r.ptr);
}

bool FitRuleMatches(const leadflow::config::v1::FitRule& r, leadflow::common::v1::Segment segment,
                    const leadflow::common::v1::Contact& contact) {
  if (r.segment() != leadflow::common::v1::SEGMENT_UNSPECIFIED && r.segment() != segment) {
    return false;
  }
  if (r.buyer_class() != leadflow::common::v1::BUYER_CLASS_UNSPECIFIED &&
      r.buyer_class() != contact.buyer_class()) {
    return false;
  }
  if (r.decision_role() != leadflow::common::v1::DECISION_ROLE_UNSPECIFIED &&
      r.decision_role() != contact.decision_role()) {
    return false;
  }
  return true;
}

bool WithinLists(const ScoringPolicy::FitLists& lists, const std::string& industry,
                 const std::string& region) {
  if (!lists.industries.empty() && std::find(lists.industries.begin(), lists.industries.end(),
                                             industry) == lists.industries.end()) {
    return false;
  }
  return lists.region_prefixes.empty() ||
         std::any_of(lists.region_prefixes.begin(), lists.region_prefixes.end(),
                     [&](const std::string& p) { return region.compare(0, p.size(), p) == 0; });
}

// Screening first (docs/domain-rules.md §4): a screened-out lead is
// disqualified with its reasons, and still scored in full for the explanation.
void ScreenInto(const leadflow::intake::v1::LeadAccepted& lead, const ScoringPolicy& policy,
                LeadScored& s, Contributions& explain) {
  std::vector<leadflow::common::v1::ReasonCode> reasons;
  Screen(lead.company(), policy.screening(), &reasons);
  for (const auto reason : reasons) {
    s.add_disqualification_reasons(reason);
    explain.Add(std::string("screening.") + leadflow::common::v1::ReasonCode_Name(reason), 0)
        ->set_note("screened out: disqualified");
  }
  s.set_disqualified(s.disqualification_reasons_size() > 0);
}

// Segment, deal band and named account (docs/domain-rules.md §3): inputs
// only, 0 points.
void ClassifyInto(const leadflow::intake::v1::LeadAccepted& lead, const ScoringPolicy& policy,
                  LeadScored& s, Contributions& explain) {
  const auto& model = policy.model();
  const auto segment = ClassifySegment(lead.company(), model.segments());
  s.set_segment(segment);
  explain.Add("segment", 0, {{"segment", leadflow::common::v1::Segment_Name(segment)}});
  const auto band = ClassifyDealBand(lead.expected_deal_rub(), segment, model.deal_bands());
  s.set_deal_band(band.band);
  auto* c = explain.Add("deal_band", 0,
                        {{"expected_deal_rub", std::to_string(lead.expected_deal_rub())},
                         {"deal_band", leadflow::common::v1::DealBand_Name(band.band)}});
  if (band.derived_from_segment) c->set_note("unknown deal size: band derived from segment");
  s.set_named_account(policy.IsNamedAccount(lead.meta().account_key()));
  if (s.named_account()) explain.Add("named_account", 0)->set_note("on the named-account list");
}

void SetRating(leadflow::scoring::v1::BantScore* bant, BantFactor f, int rating) {
  switch (f) {
    case leadflow::common::v1::BUDGET:
      bant->set_budget(rating);
      break;
    case leadflow::common::v1::ACCOUNT:
      bant->set_account(rating);
      break;
    case leadflow::common::v1::NEED:
      bant->set_need(rating);
      break;
    default:
      bant->set_time(rating);
      break;
  }
}

// BANT (docs/domain-rules.md §4): each factor rated 1-5, multiplied (1-625),
// weighted.
void RateBantInto(const leadflow::intake::v1::LeadAccepted& lead, const ScoringPolicy& policy,
                  LeadScored& s, Contributions& explain) {
  auto* bant = s.mutable_bant();
  int product = 1;
  for (const BantFactor f : kFactors) {
    const FactorRating r = RateFactor(lead, policy, f);
    product *= r.rating;
    SetRating(bant, f, r.rating);
    auto* c = explain.Add(FactorRuleId(f), 0,
                          {{"answer", r.answer}, {"rating", std::to_string(r.rating)}});
    if (r.defaulted) {
      bant->add_defaulted(f);
      c->set_note("unknown factor: default " + std::to_string(r.rating) + " used");
    }
  }
  bant->set_product(product);
  const double weight = policy.model().bant_weight();
  explain.Add("bant.product", product * weight,
              {{"product", std::to_string(product)}, {"bant_weight", Num(weight)}});
}

// Firmographic fit (docs/domain-rules.md §4): the sum of the matching fit
// rules; a rule with industry or region lists matches only within them.
double FitScore(const leadflow::intake::v1::LeadAccepted& lead, const ScoringPolicy& policy,
                leadflow::common::v1::Segment segment, Contributions& explain) {
  const auto& model = policy.model();
  double fit = 0;
  std::optional<std::pair<std::string, std::string>> firmographics;  // normalised on first use
  for (int i = 0; i < model.fit_rules_size(); ++i) {
    const auto& rule = model.fit_rules(i);
    if (!FitRuleMatches(rule, segment, lead.contact())) continue;
    const auto& lists = policy.Fit(i);
    if (lists.industries.empty() && lists.region_prefixes.empty()) {
      fit += rule.points();
      explain.Add(rule.rule_id(), rule.points());
      continue;
    }
    if (!firmographics) {
      firmographics.emplace(NormalizeKey(lead.company().industry()),
                            NormalizeKey(lead.company().region()));
    }
    if (!WithinLists(lists, firmographics->first, firmographics->second)) continue;
    fit += rule.points();
    explain.Add(rule.rule_id(), rule.points(),
                {{"industry", lead.company().industry()}, {"region", lead.company().region()}});
  }
  return fit;
}

// The decaying engagement score (docs/domain-rules.md §4): one contribution
// per event type, or a single "engagement" one without a breakdown.
void EngagementInto(const ScoreInputs& inputs, const ScoringPolicy& policy, LeadScored& s,
                    Contributions& explain) {
  if (inputs.engagement == nullptr || inputs.engagement->by_type.empty()) {
    const double points = inputs.engagement != nullptr ? 0.0 : inputs.engagement_points;
    s.set_engagement_score(points);
    auto* c = explain.Add("engagement", points);
    if (inputs.engagement != nullptr) c->set_note("no scored engagement events");
    return;
  }
  double engagement = 0;
  for (const auto& t : inputs.engagement->by_type) {
    const auto* rule = policy.EngagementRuleFor(t.type);
    const std::string type = leadflow::engagement::v1::EngagementType_Name(t.type);
    auto* c = explain.Add("engagement." + type, t.points,
                          {{"events", std::to_string(t.events)},
                           {"counted", std::to_string(t.counted)},
                           {"points_per_event", Num(rule != nullptr ? rule->points() : 0)},
                           {"daily_cap", std::to_string(rule != nullptr ? rule->daily_cap() : 0)},
                           {"half_life_days", Num(policy.model().engagement_half_life_days())}});
    if (t.counted < t.events) c->set_note("daily cap reached: some events earned nothing");
    engagement += t.points;
  }
  s.set_engagement_score(engagement);
}

// The first band whose min_total <= total, else the last band.
std::string GradeFor(const leadflow::config::v1::ScoringModel& model, double total) {
  for (const auto& g : model.grades()) {
    if (total >= g.min_total()) return g.grade();
  }
  return model.grades(model.grades_size() - 1).grade();
}

}  // namespace

FactorRating RateFactor(const leadflow::intake::v1::LeadAccepted& lead, const ScoringPolicy& policy,
                        BantFactor factor) {
  const auto& mapping = policy.Mapping(factor);
  FactorRating out;
  if (mapping.answer_key() == "@decision_role") {
    if (lead.contact().decision_role() != leadflow::common::v1::DECISION_ROLE_UNSPECIFIED) {
      out.answer = leadflow::common::v1::DecisionRole_Name(lead.contact().decision_role());
    }
  } else if (mapping.answer_key() == "@buyer_class") {
    if (lead.contact().buyer_class() != leadflow::common::v1::BUYER_CLASS_UNSPECIFIED) {
      out.answer = leadflow::common::v1::BuyerClass_Name(lead.contact().buyer_class());
    }
  } else {
    const auto it = lead.answers().find(mapping.answer_key());
    if (it != lead.answers().end()) out.answer = it->second;
  }
  out.rating = out.answer.empty() ? 0 : policy.Rating(factor, out.answer);
  if (out.rating == 0) {
    out.rating = mapping.default_rating();
    out.defaulted = true;
  }
  return out;
}

LeadScored ScoreLead(const leadflow::intake::v1::LeadAccepted& lead, const ScoringPolicy& policy,
                     const ScoreInputs& inputs) {
  LeadScored s;
  ScoreLeadInto(lead, policy, inputs, &s);
  return s;
}

void ScoreLeadInto(const leadflow::intake::v1::LeadAccepted& lead, const ScoringPolicy& policy,
                   const ScoreInputs& inputs, LeadScored* out) {
  const auto& model = policy.model();
  // Every scalar field is set below; only the repeated ones need clearing, and
  // contributions are recycled in place (see Contributions).
  LeadScored& s = *out;
  s.clear_disqualification_reasons();
  s.mutable_bant()->clear_defaulted();
  Contributions explain(&s);
  *s.mutable_lead() = lead;
  s.set_model_version(model.version());
  s.set_buyer_stage(lead.buyer_stage());
  s.set_revision(inputs.revision);
  *s.mutable_scored_at() =
      google::protobuf::util::TimeUtil::MillisecondsToTimestamp(inputs.scored_at_ms);

  ScreenInto(lead, policy, s, explain);
  ClassifyInto(lead, policy, s, explain);
  RateBantInto(lead, policy, s, explain);
  s.set_fit_score(FitScore(lead, policy, s.segment(), explain));
  EngagementInto(inputs, policy, s, explain);

  explain.Finish();
  double total = 0;
  for (const auto& c : s.contributions()) total += c.points();
  s.set_total_score(total);
  s.set_grade(GradeFor(model, total));
  if (s.disqualified()) {
    s.set_lifecycle_stage(leadflow::common::v1::DISQUALIFIED);
  } else if (total >= model.mql_threshold()) {
    s.set_lifecycle_stage(leadflow::common::v1::MQL);
  } else {
    s.set_lifecycle_stage(leadflow::common::v1::LEAD);
  }
}

}  // namespace leadflow::scoring
