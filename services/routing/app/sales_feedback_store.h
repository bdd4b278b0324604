// Routing's record of sales feedback (docs/domain-rules.md §5 "one explicit
// handoff", §6 deal stages; docs/state.md `fb:` and `stalls`). Keys share the
// {routing} hash tag with the rest of routing's state (routing_store.h), so the
// feedback script changes the rep's load, the SLA and stall timers
// (lead_timers.h), the lead's record and the funnel's won deals in the same
// atomic step as the tags:
//
//   lf:{routing}:fb:<lead_id>            hash: the lead's sales feedback
//                                        (FeedbackTags: last "<kind>|<rep>",
//                                        accepted_by, reject reason, close
//                                        outcome, versions; the deal stage, its
//                                        entry version, value, probability, the
//                                        previous stage and time there, stall
//                                        version); the TTL of an owned record
//                                        once closed or rejected
//   lf:{routing}:won:<yyyy-mm>           hash lead_id -> won deal (won_deal.h)
//                                        of the deals won that month
//   lf:{routing}:cohort:<yyyy-mm>:<SEGMENT>:won    zset lead_id -> when won
//                                        (close WON); both cohort_store.h
//
// Threading: as thread-safe as redis::Client (calls are serialised). Every
// method returns kUnavailable when Redis is unreachable, and every write
// while routing's state is being rebuilt (routing_state_rebuild.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/redis/client.h"
#include "routing/domain/sales_state.h"

namespace leadflow::routing {

enum class FeedbackApply {
  kApplied,
  kChanged,  // the feedback tags were no longer the expected ones: read again
  kNotOpen,
};

// What a feedback writes besides its tags.
struct FeedbackRecord {
  // The record the lead's decision becomes (when the stored one is still
  // the expected one); "" leaves it as it is.
  std::string new_record;
  int64_t new_record_ttl_seconds = 0;  // > 0: it expires after that long
  // > 0: the feedback hash expires after that long (the lead is no longer open).
  int64_t feedback_ttl_seconds = 0;
  // A "stage" feedback: what the fb hash records of the deal stage
  // (FeedbackTags), and when the stage stalls (> 0: the stall timer is
  // (re)armed and an earlier stall forgotten; 0: a value update in the same
  // stage, timer and stall kept).
  std::string stage;
  int64_t value_rub = 0;
  int win_probability_pct = 0;
  std::string previous_stage;
  int64_t ms_in_previous_stage = 0;
  int64_t stage_version = 0;
  int64_t stall_due_ms = 0;
  // A close WON: the won deal (EncodeWonDeal, domain/won_deal.h; "" for any
  // other feedback) goes in the ledger of the month it was won
  // (`won_month`, expiring at won_expires_at), and the lead into its
  // cohort's won deals (`won_cohort`, Cohort::Name(); "" when the lead has
  // no cohort) at `won_at_ms`, expiring at cohort_expires_at.
  std::string won_entry;
  std::string won_month;
  int64_t won_expires_at = 0;
  std::string won_cohort;
  int64_t won_at_ms = 0;
  int64_t cohort_expires_at = 0;
};

// One feedback to apply: a transition the caller decided with NextSalesState
// (or NextStageStep) on `expected_tags` and the record `expected_raw`.
struct FeedbackChange {
  std::string lead_id;
  std::string rep_id;  // the rep holding the lead
  std::string kind;    // FeedbackKindLabel: accept, reject, close, stage
  std::string detail;  // the reason or outcome name (CloseDetail), or the stage
  int64_t version = 0;
  std::string expected_raw;
  FeedbackTags expected_tags;
  FeedbackRecord write;
};

struct FeedbackApplied {
  FeedbackApply outcome = FeedbackApply::kNotOpen;
  int64_t open_after = 0;  // the rep's open leads after it
  bool replaced = false;   // the record became write.new_record
};

class SalesFeedbackStore {
 public:
  explicit SalesFeedbackStore(redis::Client& redis) : redis_(redis) {}

  // Applies the change atomically (sales_feedback_apply.lua): "accept" stops
  // the SLA timer; "stage" (only once the rep accepted) records the deal
  // stage from `write` and arms its stall timer; "reject"/"close" also release
  // the open-lead slot, stop the stall timer, record a won deal and, when
  // `write.new_record` is set and the stored record is still `expected_raw`,
  // replace the record. The tags record the kind, `detail` and `version`.
  // kChanged: the lead's tags (last, accepted_by, version) changed since they
  // were read (nothing written); kNotOpen: the lead is not open with that rep.
  StatusOr<FeedbackApplied> Apply(const FeedbackChange& change);

  // The last feedback applied to each lead, as "<kind>|<rep>" ("" when none),
  // in one round trip.
  StatusOr<std::vector<std::string>> LastFeedbacks(const std::vector<std::string>& lead_ids);

  // The lead's feedback tags (all empty when none), and the same for several
  // leads in one round trip.
  StatusOr<FeedbackTags> Tags(const std::string& lead_id);
  StatusOr<std::vector<FeedbackTags>> TagsMany(const std::vector<std::string>& lead_ids);

 private:
  redis::Client& redis_;
};

}  // namespace leadflow::routing
