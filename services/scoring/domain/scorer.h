// Scoring one accepted lead against a validated model: screening, segment,
// deal band, named account, BANT, fit, engagement, total, grade, lifecycle,
// and the per-rule explanation. Pure and deterministic; thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "leadflow/intake/v1/intake.pb.h"
#include "leadflow/scoring/v1/scoring.pb.h"
#include "scoring/domain/engagement.h"
#include "scoring/domain/scoring_policy.h"

namespace leadflow::scoring {

// What the scorer needs besides the lead and the model.
struct ScoreInputs {
  // The decayed engagement score when no breakdown is given (`engagement`).
  double engagement_points = 0;
  // The per-type engagement breakdown (ScoreEngagement); when set it replaces
  // engagement_points. Not owned; must outlive the ScoreLead call.
  const EngagementScore* engagement = nullptr;
  int64_t scored_at_ms = 0;
  int32_t revision = 1;
};

// One BANT factor's rating and how it was obtained.
struct FactorRating {
  int rating = 0;
  bool defaulted = false;
  std::string answer;  // the value looked up ("" when absent)
};

// Rates one factor: the mapping's answer_key is read from lead.answers, or for
// "@decision_role" / "@buyer_class" the contact's enum name (UNSPECIFIED counts
// as absent). An absent or unlisted answer gives default_rating, defaulted=true.
FactorRating RateFactor(const leadflow::intake::v1::LeadAccepted& lead, const ScoringPolicy& policy,
                        leadflow::common::v1::BantFactor factor);

// Produces the LeadScored for `lead`:
//  - disqualified (lifecycle DISQUALIFIED) when screening gives any reason;
//    the score is still computed in full, for the explanation;
//  - total = bant.product * bant_weight + sum of matching fit rules +
//    engagement; contributions hold one entry per rule applied:
//    "screening.<reason>" and "segment" / "deal_band" / "named_account"
//    (0 points, inputs only), "bant.budget|account|need|time" (0 points, the
//    answer and the rating; a defaulted factor says so in its note),
//    "bant.product" (product * weight),
//    each matching fit rule by its rule_id, and one "engagement.<TYPE>" per
//    event type with points (events, counted, points per event, daily cap,
//    half-life as inputs), or a single "engagement" entry when there is no
//    breakdown (no events: 0 points); the points sum to total_score exactly
//    (total is computed as that sum, in order);
//  - grade: the first band whose min_total <= total, else the last band;
//  - lifecycle MQL iff not disqualified and total >= mql_threshold, else LEAD.
leadflow::scoring::v1::LeadScored ScoreLead(const leadflow::intake::v1::LeadAccepted& lead,
                                            const ScoringPolicy& policy, const ScoreInputs& inputs);

// The same into `out`, which may be reused from an earlier call: its previous
// content is fully replaced (equal to a fresh ScoreLead), but its contribution
// objects, strings and input-map nodes are recycled, so the handlers' per-thread
// score allocates little on the hot path.
void ScoreLeadInto(const leadflow::intake::v1::LeadAccepted& lead, const ScoringPolicy& policy,
                   const ScoreInputs& inputs, leadflow::scoring::v1::LeadScored* out);

}  // namespace leadflow::scoring
