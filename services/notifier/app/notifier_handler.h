// The notifier's consumer batch handler: for each event of the table
// (event_table.h), the notification, its endpoints, and one delivery per
// endpoint, run in parallel across the batch (at most
// NotifierPolicy::max_parallel_deliveries at once). The loop commits the
// batch's offsets only after this returns and the dead letters it produced
// are acknowledged, so every event is delivered, dead-lettered on
// notifications.dead, or consumed again after a crash (docs/notifier.md).
//
// Per message:
//   - bytes that are not the topic's message: kInvalidArgument (the loop puts
//     them on leads.rejected, as for every service);
//   - a delivery that failed for good: a NotificationDeadLetter output;
//   - a delivery cut short by shutdown: kUnavailable, so the loop rewinds and
//     the event is delivered again, with the same event id, after restart;
//   - a delivery not started within `batch_budget` of the batch's start (a
//     dead endpoint makes every delivery last its whole deadline):
//     kUnavailable too, so the batch ends, the events before it are committed
//     and the rest come again in the next batch. A batch therefore ends
//     within the budget plus one delivery (deadline + attempt timeout, at most
//     90 + 120 + 60 s), inside librdkafka's max.poll.interval.ms (300 s).
// Thread-safe for one loop: Handler() is called on the loop's thread and
// starts its own short-lived delivery threads.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <vector>

#include "common/kafka/consumer_loop.h"
#include "common/util/clock.h"
#include "notifier/app/notifier_metrics.h"
#include "notifier/app/webhook_delivery.h"
#include "notifier/domain/event_table.h"
#include "notifier/domain/notifier_policy.h"

namespace leadflow::notifier {

class NotifierHandler {
 public:
  static constexpr std::chrono::milliseconds kDefaultBatchBudget{90000};

  // Everything must outlive the handler. `stop` is the process's shutdown flag.
  NotifierHandler(const EventTable& table, std::shared_ptr<const NotifierPolicy> policy,
                  const WebhookDelivery& delivery, NotifierMetrics& metrics, const Clock& clock,
                  const std::atomic<bool>& stop,
                  std::chrono::milliseconds batch_budget = kDefaultBatchBudget);

  std::vector<kafka::HandledMessage> HandleBatch(const std::vector<kafka::ConsumedMessage>& batch);

  kafka::BatchHandler Handler() {
    return [this](const std::vector<kafka::ConsumedMessage>& b) { return HandleBatch(b); };
  }

  struct Job;  // one delivery: a message of the batch, one of its endpoints

 private:
  // The per-event handler: the event's notification and one delivery job per
  // endpoint (none when nobody is told); the message's error when it is not
  // an event of the table.
  StatusOr<std::vector<Job>> JobsFor(const kafka::ConsumedMessage& m, size_t index);
  // Runs the deliveries in parallel within the batch budget.
  void DeliverAll(std::vector<Job>& jobs);
  // What a delivery's outcome makes of its message: metrics, a dead letter,
  // or kUnavailable (consumed again).
  void Settle(const Job& j, const kafka::ConsumedMessage& m, kafka::HandledMessage& r);

  const EventTable& table_;
  std::shared_ptr<const NotifierPolicy> policy_;
  const WebhookDelivery& delivery_;
  NotifierMetrics& metrics_;
  const Clock& clock_;
  const std::atomic<bool>& stop_;
  std::chrono::milliseconds batch_budget_;
};

}  // namespace leadflow::notifier
