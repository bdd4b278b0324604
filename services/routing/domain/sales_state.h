// A lead's sales state with the rep holding it, and the transitions sales
// feedback may make (docs/architecture.md, "A lead's sales state"):
//
//   QUEUED ──(queue drain)──> ASSIGNED ──accept──> ACCEPTED ──close──> CLOSED
//                                │  └─────────────close───────────────────^
//                                └──reject──> REJECTED      │ stage       ^ close
//                                                           v             │
//                                                        IN_STAGE(s) ─────┘
//                                                        └─ stage ─> IN_STAGE(s')
//   ASSIGNED ──(SLA expired)──> REASSIGNED_AWAY for the rep, ASSIGNED for the next
//
// Decisions (queue, assign, re-assign) are routing's own; feedback moves a
// lead only along the edges above. Each step has one answer: the same
// feedback again is a retry (same ack, nothing changes); a different answer
// to a step already taken (reject after accept, LOST after WON, another
// rejection reason, another loss reason) is refused with kFailedPrecondition naming the current
// state. Deal stages (deal_stages.h) sit between ACCEPTED and CLOSED: a
// stage move goes forward freely, back with a reason only (NextStageStep).
//
// Pure and thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "common/util/status.h"
#include "leadflow/routing/v1/routing.pb.h"

namespace leadflow::routing {

// What routing records of a lead's sales feedback (the lf:{routing}:fb:<lead>
// hash, docs/state.md).
struct FeedbackTags {
  std::string last;              // "<kind>|<rep>" of the last feedback applied ("" none)
  std::string accepted_by;       // the rep that accepted the lead ("" none)
  std::string reject;            // reason name of the rejection ("" none or unknown)
  std::string close;             // CloseDetail ("WON", "LOST:LOST_PRICE"; "" none or unknown)
  int64_t version = 0;           // version of the last change (0 unknown)
  int64_t accepted_version = 0;  // version of the accept (0 none or unknown)
  // Deal stage (STAGE feedback): the current stage ("" none), the version of
  // the move into it, the deal value (RUB), the stage's win probability when
  // entered, the stage before it ("" ACCEPTED) and how long the deal was
  // there (ms), and the version of its stall (0 none).
  std::string stage{};
  int64_t stage_version = 0;
  int64_t value_rub = 0;
  int win_probability_pct = 0;
  std::string previous_stage{};
  int64_t ms_in_previous_stage = 0;
  int64_t stalled_version = 0;
};

struct SalesStatus {
  leadflow::routing::v1::SalesState state = leadflow::routing::v1::SALES_STATE_UNSPECIFIED;
  // REJECTED: the reason name; CLOSED: CloseDetail, the outcome name and its
  // loss reason ("LOST:LOST_PRICE"); "" unknown.
  std::string detail;
};

// The lead's state with `rep`, from its recorded decision and feedback tags.
// UNSPECIFIED when `rep` does not hold the lead (another rep's, re-routed, or
// never assigned to it).
SalesStatus SalesStateOf(const leadflow::routing::v1::Decision& decision, const FeedbackTags& tags,
                         const std::string& rep);

// "ACCEPTED", "REJECTED (NOT_A_FIT)", "CLOSED (WON)", "CLOSED (LOST:LOST_PRICE)",
// "CLOSED" (outcome unknown).
std::string Describe(const SalesStatus& status);

struct FeedbackStep {
  enum class Kind {
    kApply,    // a transition along an allowed edge
    kRetry,    // this exact feedback was applied before: same answer, no change
    kNotOpen,  // the rep does not hold the lead
    kRefused,  // a different answer to a step already taken (error says which state)
  };
  Kind kind = Kind::kNotOpen;
  leadflow::routing::v1::SalesState to = leadflow::routing::v1::SALES_STATE_UNSPECIFIED;
  Status error;  // kRefused: kFailedPrecondition naming the lead's current state
  bool backward = false;      // STAGE: to an earlier stage
  bool value_update = false;  // STAGE: the same stage, another value (entry time kept)
};

// Where `feedback` (already valid: ValidateFeedback) takes a lead whose state
// with feedback.rep_id() is `current`. `accepted_by` is the rep that accepted
// the lead, if any (an accept retried after a close is still a retry).
FeedbackStep NextSalesState(const SalesStatus& current, const std::string& accepted_by,
                            const leadflow::routing::v1::SalesFeedback& feedback);

// Where a STAGE feedback (already valid, its stage configured) takes a lead
// whose state with feedback.rep_id() is `current` and whose tags are `tags`.
// `from_index` / `to_index` are the positions of the current stage (-1:
// ACCEPTED) and of feedback.stage() in the configured order. Allowed from
// ACCEPTED or a stage only; forward is free, back needs back_reason (else
// kRefused, kFailedPrecondition); the same stage and value again is a retry;
// with expected_version set, a move from another version is refused unless
// it is that same move (a retry).
FeedbackStep NextStageStep(const SalesStatus& current, const FeedbackTags& tags, int from_index,
                           int to_index, const leadflow::routing::v1::SalesFeedback& feedback);

// The change a stream reports for `rep` (or, when `rep` is empty, the
// record's own rep: a team stream) from a lead's record and feedback tags:
// QUEUED, ASSIGNED, ACCEPTED, REJECTED, CLOSED, or REASSIGNED_AWAY when the
// lead was taken from `rep`. State UNSPECIFIED: nothing to report to `rep`.
// The version is the decision time for decisions, the tags' versions for
// feedback (the decision time + 1 when the tags lack it: rebuilt state).
leadflow::routing::v1::LeadChange LeadChangeOf(const leadflow::routing::v1::LeadAssigned& record,
                                               const FeedbackTags& tags, const std::string& rep);

// The state a feedback kind leads to (ACCEPT -> ACCEPTED, ...).
leadflow::routing::v1::SalesState StateAfter(leadflow::routing::v1::FeedbackKind kind);

// The version of a change at `now_ms`: strictly after the previous change of
// the lead (`last_version`) and after its decision (`decided_ms`).
int64_t NextVersion(int64_t now_ms, int64_t last_version, int64_t decided_ms);

}  // namespace leadflow::routing
