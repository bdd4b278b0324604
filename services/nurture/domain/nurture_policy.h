// NurtureConfig validated once at load into an immutable NurturePolicy.
//
// Rules enforced (docs/domain-rules.md §1, §2, §7; docs/architecture.md, "The
// wall": customers never get prospect communications):
//  - every track declares exactly one audience, PROSPECT or CUSTOMER, and
//    both audiences have at least one track;
//  - every content item declares its audience, and every step of a track uses
//    content of the track's own audience (no mixing);
//  - a campaign declares the audiences it serves; each needs its own variant
//    (an item with that campaign_id and audience), and no item may be a
//    variant for an audience its campaign does not serve;
//  - website-only news types (NEW_DIVISION, PROJECT_START, PARTNERSHIP,
//    APPOINTMENT, EVENT_REPORT, RATING) are never used in a track;
//  - a weak item is used in a track only if it carries a client_benefit;
//  - product-pitch content never reaches STATUS_QUO buyers: not allowed in a
//    track whose selector includes STATUS_QUO or selects any stage;
//  - event items make up at most max_event_share of a track's steps;
//  - caps > 0 with per_week >= per_day, quiet hours in 0..23, a known
//    default time zone;
//  - a CUSTOMER track that uses an item of a customer_opt_in_topics topic is
//    opt-in (opt_in_intents set): customers get such topics only when they
//    asked (docs/domain-rules.md §1). An opt-in track may carry a product
//    pitch whatever its stages: the contact asked for it;
//  - selector.rejection_reasons (account development after a protected
//    rejection) only on PROSPECT tracks, without REASON_UNSPECIFIED;
//  - selector.missing_buyer_classes (content aimed at a buyer class the
//    account's committee lacks) without BUYER_CLASS_UNSPECIFIED;
//  - programmes name existing CUSTOMER, non-opt-in tracks (the wall:
//    proactive programmes are customer-only), periods > 0, an enrolment
//    window in 1..period_days, and a threshold when a small-base track is
//    set.
// Messages name the track, step and content, e.g.
//   tracks[2] "prospect-x": steps[1] content "c-upsell" has audience CUSTOMER, the track PROSPECT
//
// Threading: immutable after Create(); share freely.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/util/status.h"
#include "leadflow/config/v1/nurture_config.pb.h"

namespace leadflow::nurture {

// What a contact looks like to track selection.
struct TrackQuery {
  leadflow::common::v1::Relationship audience = leadflow::common::v1::PROSPECT;
  leadflow::common::v1::Segment segment = leadflow::common::v1::SEGMENT_UNSPECIFIED;
  leadflow::common::v1::BuyerClass buyer_class = leadflow::common::v1::BUYER_CLASS_UNSPECIFIED;
  leadflow::common::v1::DecisionRole decision_role =
      leadflow::common::v1::DECISION_ROLE_UNSPECIFIED;
  leadflow::common::v1::BuyerStage buyer_stage = leadflow::common::v1::BUYER_STAGE_UNSPECIFIED;
  std::string intent;  // the lead's own form intent: opens opt-in tracks that list it
  // Why sales sent the lead back (NurtureRequested.reason), else unspecified:
  // opens the account-development tracks that list it.
  leadflow::common::v1::ReasonCode rejection_reason = leadflow::common::v1::REASON_UNSPECIFIED;
  // The account's buying-committee coverage (Company.coverage): whether it is
  // known, and the buyer classes it misses. Opens the tracks whose
  // selector.missing_buyer_classes name a missing class; unknown opens none.
  bool coverage_known = false;
  std::vector<leadflow::common::v1::BuyerClass> missing_buyer_classes;
};

// True for news types that are website-only unless upgraded with a client benefit.
bool IsWebsiteOnly(leadflow::common::v1::NewsType type);

class NurturePolicy {
 public:
  static StatusOr<std::shared_ptr<const NurturePolicy>> Create(
      leadflow::config::v1::NurtureConfig config);

  const leadflow::config::v1::NurtureConfig& config() const { return config_; }
  // nullptr when unknown.
  const leadflow::config::v1::ContentItem* FindContent(const std::string& content_id) const;
  const leadflow::config::v1::Track* FindTrack(const std::string& track_id) const;

  const leadflow::config::v1::Programme* FindProgramme(const std::string& programme_id) const;

  // The highest-priority track of query.audience whose selector matches
  // (empty selector lists match anything) and, for an opt-in track, whose
  // opt_in_intents list query.intent; ties go to the earlier track.
  // A track with selector.missing_buyer_classes matches only a query whose
  // coverage is known and misses one of them.
  // A query with a rejection_reason picks among the tracks whose
  // selector.rejection_reasons list it first, and among the others only when
  // none matches; a query without one never gets such a track.
  // nullptr when none matches.
  const leadflow::config::v1::Track* SelectTrack(const TrackQuery& query) const;

 private:
  NurturePolicy() = default;
  // Create's validation steps that fill the indexes (nurture_policy.cc).
  Status IndexCatalogue();
  Status IndexTrack(int t, const std::set<std::string>& opt_in_topics);
  Status CheckStep(const leadflow::config::v1::Track& track, const std::string& tf, int s,
                   const std::set<std::string>& opt_in_topics) const;
  Status IndexProgramme(int i);
  // SelectTrack among the tracks with (for_reason) or without rejection_reasons.
  const leadflow::config::v1::Track* BestTrack(const TrackQuery& query, bool for_reason) const;
  leadflow::config::v1::NurtureConfig config_;
  std::map<std::string, int> content_index_;
  std::map<std::string, int> track_index_;
  std::map<std::string, int> programme_index_;
};

}  // namespace leadflow::nurture
