// The notifier's own metrics (leadflow_notifier_*; docs/metrics.md). Labels
// are bounded: template is SLACK | TELEGRAM | GENERIC_JSON, a delivery's end
// and an event's result are the enums below, result and reason come from the
// fixed lists below, topic from the event table. Never an endpoint URL, a
// lead or a rep id. Thread-safe.
#pragma once

#include <string>

#include "common/metrics/service_metrics.h"

namespace leadflow::notifier {

// How a delivery to one endpoint ended (the outcome label): delivered,
// dead-lettered, interrupted by a shutdown, or deferred because the batch
// budget was spent; the last two leave the event uncommitted, so it is
// delivered again.
enum class DeliveryEnd { kDelivered, kDeadLettered, kInterrupted, kDeferred };
// What came of a consumed event (the result label): sent to its endpoints,
// no endpoint wants it, or nobody is told about this kind (e.g. TOUCH_SENT).
enum class EventResult { kNotified, kNoEndpoint, kIgnored };

class NotifierMetrics {
 public:
  explicit NotifierMetrics(metrics::ServiceMetrics& m) : m_(m) {}

  // leadflow_notifier_deliveries_total{template, outcome}: one per event and
  // endpoint; outcome delivered | dead_lettered | interrupted | deferred.
  void Delivery(const std::string& template_name, DeliveryEnd end);
  // leadflow_notifier_delivery_seconds{template}: first attempt to the end,
  // backoff waits included.
  void DeliverySeconds(const std::string& template_name, double seconds);
  // leadflow_notifier_dead_letters_total{reason}: attempts_exhausted |
  // deadline | rejected (a permanent HTTP answer, e.g. 404).
  void DeadLetter(const std::string& reason);
  // leadflow_notifier_attempts_total{template, result}: every HTTP attempt;
  // result ok | retryable | rejected.
  void Attempt(const std::string& template_name, const std::string& result);
  // leadflow_notifier_events_total{topic, result}: notified | no_endpoint |
  // ignored.
  void Event(const std::string& topic, EventResult result);

  double DeliveryCount(const std::string& template_name, DeliveryEnd end);
  double DeadLetterCount(const std::string& reason);

 private:
  metrics::ServiceMetrics& m_;
};

}  // namespace leadflow::notifier
