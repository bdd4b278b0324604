// Sales feedback (DOMAIN.md §5 "one explicit handoff"), from the gRPC API and
// from the sales.feedback topic:
//   accept -> stops the lead's SLA timer;
//   reject -> needs a reason code; releases the rep's slot; a large-client
//             (ENTERPRISE/GOVERNMENT/INFRASTRUCTURE) lead rejected for a
//             protected reason goes back to nurture (NurtureRequested with the
//             reason; the record becomes NURTURE so a later rescore re-routes);
//   close  -> records the deal outcome and releases the rep's slot.
// Effects are applied atomically and idempotently in Redis, keyed by lead id:
// a redelivered event re-emits the same outputs and changes nothing. A
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
#include <string>
#include <vector>

#include "common/kafka/message.h"
#include "common/util/clock.h"
#include "leadflow/routing/v1/routing.pb.h"
#include "routing/app/routing_metrics.h"
#include "routing/app/routing_store.h"
#include "routing/domain/routing_policy.h"

namespace leadflow::routing {

inline constexpr char kFeedbackOriginHeader[] = "leadflow-origin";

struct FeedbackResult {
  bool redelivered = false;  // already applied before: nothing changed
  bool to_nurture = false;   // protected rejection: back to nurture
  std::string status;        // e.g. "accepted", "returned to nurture: BUDGET_TOO_SMALL"
  std::vector<kafka::OutgoingMessage> outputs;  // leads.nurture on a protected rejection
};

class FeedbackProcessor {
 public:
  // `on_capacity_freed` runs after a reject/close released a slot (e.g. to
  // wake the queue drain); may be empty.
  FeedbackProcessor(std::shared_ptr<const RoutingPolicy> policy, RoutingStore& store,
                    RoutingMetrics& metrics, const Clock& clock,
                    std::function<void()> on_capacity_freed = {});

  // Validates and applies one feedback event. Errors: kInvalidArgument (bad
  // event), kFailedPrecondition (no open lead of that rep by that id, whether
  // unknown, another rep's or closed: one text for all), kUnavailable (Redis).
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

  std::shared_ptr<const RoutingPolicy> policy_;
  RoutingStore& store_;
  RoutingMetrics& metrics_;
  const Clock& clock_;
  std::function<void()> on_capacity_freed_;
};

}  // namespace leadflow::routing
