#include "notifier/app/notifier_metrics.h"

namespace leadflow::notifier {
namespace {

using Family = metrics::ServiceMetrics::Family;

constexpr Family kDeliveries{"deliveries_total", "Webhook deliveries by template and outcome"};
constexpr Family kDeadLetters{"dead_letters_total",
                              "Webhooks dead-lettered on notifications.dead, by reason"};
constexpr Family kAttempts{"attempts_total", "HTTP attempts of webhook deliveries"};
constexpr Family kEvents{"events_total", "Consumed events by topic and what came of them"};

// The label of each enum value, in the enum's order.
constexpr const char* kDeliveryEnds[] = {"delivered", "dead_lettered", "interrupted", "deferred"};
constexpr const char* kEventResults[] = {"notified", "no_endpoint", "ignored"};

const char* Label(DeliveryEnd end) { return kDeliveryEnds[static_cast<size_t>(end)]; }
const char* Label(EventResult result) { return kEventResults[static_cast<size_t>(result)]; }

std::vector<double> DeliveryBuckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120};
}

}  // namespace

void NotifierMetrics::Delivery(const std::string& template_name, DeliveryEnd end) {
  m_.CounterOf(kDeliveries, {{"template", template_name}, {"outcome", Label(end)}}).Inc();
}

void NotifierMetrics::DeliverySeconds(const std::string& template_name, double seconds) {
  m_.registry()
      .GetHistogram(m_.Name("delivery_seconds"),
                    "Time from a delivery's first attempt to its end, backoff included",
                    {{"template", template_name}}, DeliveryBuckets())
      .Observe(seconds);
}

void NotifierMetrics::DeadLetter(const std::string& reason) {
  m_.CounterOf(kDeadLetters, {{"reason", reason}}).Inc();
}

void NotifierMetrics::Attempt(const std::string& template_name, const std::string& result) {
  m_.CounterOf(kAttempts, {{"template", template_name}, {"result", result}}).Inc();
}

void NotifierMetrics::Event(const std::string& topic, EventResult result) {
  m_.CounterOf(kEvents, {{"topic", topic}, {"result", Label(result)}}).Inc();
}

double NotifierMetrics::DeliveryCount(const std::string& template_name, DeliveryEnd end) {
  return m_.CounterOf(kDeliveries, {{"template", template_name}, {"outcome", Label(end)}}).Value();
}

double NotifierMetrics::DeadLetterCount(const std::string& reason) {
  return m_.CounterOf(kDeadLetters, {{"reason", reason}}).Value();
}

}  // namespace leadflow::notifier
