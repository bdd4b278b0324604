// Sales feedback (docs/domain-rules.md §5 "one explicit handoff"), from the gRPC API and
// from the sales.feedback topic:
//   accept -> stops the lead's SLA timer;
//   reject -> needs a sales-rejection reason; releases the rep's slot; a large-client
//             (ENTERPRISE/GOVERNMENT/INFRASTRUCTURE) lead rejected for a
//             protected reason goes back to nurture (NurtureRequested with the
//             reason; the record becomes NURTURE so a later rescore re-routes);
//             any other rejection is discarded, visibly: LeadDiscarded on
//             leads.discarded;
//   close  -> records the deal outcome and releases the rep's slot.
//   stage  -> moves an accepted lead to a deal stage (routing_rules
//             deal_stages; forward freely, back with a reason): records the
//             stage, value and entry time, arms the stage's stall timer and
//             emits DealStageChanged on deals.stages.
// Each is a transition of the lead's sales state (domain/sales_state.h): a
// second, different answer to a step already taken is refused. Effects are
// applied atomically in Redis, keyed by lead id, and only on the state the
// transition was decided on; an identical retry (a redelivered event, a
// retried RPC) re-emits the same outputs and changes nothing. A
// reject or close also ends what routing keeps of the lead: its record turns
// slim (ids and the decision), or, after a protected rejection, keeps the lead
// for the redelivery window only (decision_record.h).
//
// Team scope (docs/security.md, "Feedback by topic"): a sales tool writes its
// team's topic sales.feedback.<team>, which only that team may write (broker
// ACLs). A record there is applied only when its rep is in that team and the
// lead is routed to that team; otherwise it is dead-lettered NOT_PERMITTED.
// Applied feedback is republished on sales.feedback with the header
// kFeedbackOriginHeader=routing, as the gRPC API does; sales.feedback is
// written by routing only, so a record there without that header is
// dead-lettered NOT_PERMITTED and one with it is skipped (already applied).
//
// Errors never tell whether a lead exists: an unknown lead, another rep's
// lead and a lead no longer open all read "lead L is not open with rep R".
//
// Threading: thread-safe (state lives in Redis).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/kafka/message.h"
#include "common/util/clock.h"
#include "leadflow/routing/v1/routing.pb.h"
#include "routing/app/routing_metrics.h"
#include "routing/app/routing_store.h"
#include "routing/app/sales_feedback_store.h"
#include "routing/domain/routing_policy.h"

namespace leadflow::routing {

inline constexpr char kFeedbackOriginHeader[] = "leadflow-origin";

struct FeedbackResult {
  bool redelivered = false;  // an identical retry: nothing changed, the same answer
  bool to_nurture = false;   // protected rejection: back to nurture
  // False for a retry of a step the lead has since moved past (an accept
  // redelivered after the close): answered alike, but not put on
  // sales.feedback again, where it would follow the close.
  bool republish = true;
  std::string status;        // e.g. "accepted", "returned to nurture: BUDGET_TOO_SMALL"
  leadflow::routing::v1::FeedbackOutcome outcome =
      leadflow::routing::v1::FEEDBACK_OUTCOME_UNSPECIFIED;
  leadflow::routing::v1::SalesState state = leadflow::routing::v1::SALES_STATE_UNSPECIFIED;
  int64_t version = 0;  // LeadChange.version of the change (the first one's on a retry)
  std::string stage;    // STAGE: the stage and its win probability
  int win_probability_pct = 0;
  // leads.nurture on a protected rejection, leads.discarded on any other,
  // deals.stages on a stage move.
  std::vector<kafka::OutgoingMessage> outputs;
  // The WatchAssignments event of the change (record with `change` set).
  leadflow::routing::v1::LeadAssigned event;
};

// Sets the deal stage fields routing's messages share (stage,
// win_probability_pct, deal_value_rub: DealStageChanged, LeadChange, LeadView)
// from FeedbackTags or a FeedbackRecord.
template <typename Stage, typename Message>
void SetDealStage(const Stage& from, Message& to) {
  to.set_stage(from.stage);
  to.set_win_probability_pct(from.win_probability_pct);
  to.set_deal_value_rub(from.value_rub);
}

class FeedbackProcessor {
 public:
  // `on_capacity_freed` runs after a reject/close released a slot (e.g. to
  // wake the queue drain); may be empty.
  FeedbackProcessor(std::shared_ptr<const RoutingPolicy> policy, RoutingStore& store,
                    RoutingMetrics& metrics, const Clock& clock,
                    std::function<void()> on_capacity_freed = {});

  // Validates and applies one feedback event, as a transition of the lead's
  // sales state (routing/domain/sales_state.h). Errors: kInvalidArgument (bad
  // event, or a reason not allowed for its kind; names the field),
  // kFailedPrecondition (no lead of that rep by that id, whether unknown or
  // another rep's: one text for all; or a second, different answer to a step
  // the rep already took: names the lead's state), kUnavailable (Redis).
  StatusOr<FeedbackResult> Apply(const leadflow::routing::v1::SalesFeedback& feedback);

  // The handler of sales.feedback and of every sales.feedback.<team> topic.
  Status Handle(const kafka::ConsumedMessage& message, std::vector<kafka::OutgoingMessage>& out);

  void set_on_capacity_freed(std::function<void()> fn) { on_capacity_freed_ = std::move(fn); }

 private:
  // Turns the lead's current record into what a reject or close leaves (when
  // the feedback script could not: the record had changed).
  Status SettleRecord(const leadflow::routing::v1::SalesFeedback& fb, bool to_nurture);
  // Apply(), and for a record of sales.feedback.<team> (`team` not empty)
  // refused with NOT_PERMITTED unless `team` is configured, the rep is in it
  // and the lead is routed to it.
  StatusOr<FeedbackResult> ApplyFrom(const leadflow::routing::v1::SalesFeedback& fb,
                                     const std::string& team);
  // ApplyFrom's checks of the event itself, before any state is read.
  Status Admit(const leadflow::routing::v1::SalesFeedback& fb, const std::string& team) const;
  // One read-decide-apply round on `stored` and `tags`; nullopt when the tags
  // changed before the script ran (read again).
  StatusOr<std::optional<FeedbackResult>> ApplyOnce(const leadflow::routing::v1::SalesFeedback& fb,
                                                    const StoredDecision& stored,
                                                    const FeedbackTags& tags);

  // ApplyOnce's steps, in its order (feedback_processor.cc).
  struct Transition;
  struct Change;
  Transition Decide(const leadflow::routing::v1::SalesFeedback& fb,
                    const leadflow::routing::v1::LeadAssigned& rec, const FeedbackTags& tags) const;
  int64_t VersionOf(const Transition& t) const;
  Change Describe(const Transition& t) const;
  static void DescribeStageMove(const Transition& t, Change& c);
  static void DescribeClose(const Transition& t, Change& c);
  void DescribeRejection(const Transition& t, Change& c) const;
  leadflow::routing::v1::NurtureRequested BackToNurture(const Transition& t,
                                                        const std::string& detail) const;
  StatusOr<FeedbackApplied> Write(const Transition& t, const Change& c,
                                  const std::string& expected_raw);
  void AddOutputs(const Transition& t, Change& c) const;
  static void SetWatchEvent(const Transition& t, Change& c);
  void Record(const Transition& t, const Change& c, int64_t open_after);

  std::shared_ptr<const RoutingPolicy> policy_;
  DecisionLog& decisions_;
  SalesFeedbackStore& feedback_store_;
  RoutingMetrics& metrics_;
  const Clock& clock_;
  std::function<void()> on_capacity_freed_;
};

}  // namespace leadflow::routing
