#include "notifier/app/notifier_handler.h"

#include <algorithm>
#include <system_error>
#include <thread>

#include "common/kafka/topics.h"
#include "common/log/log.h"
#include "leadflow/notifier/v1/notifier.pb.h"
#include "notifier/domain/event_id.h"
#include "notifier/domain/webhook_templates.h"

namespace leadflow::notifier {

// One delivery to run: a message of the batch, one of its endpoints.
struct NotifierHandler::Job {
  size_t message = 0;
  const Endpoint* endpoint = nullptr;
  std::string event_id;
  std::string kind;
  WebhookBody body;
  DeliveryOutcome outcome;
  bool deferred = false;  // not started within the batch budget
};

namespace {

kafka::OutgoingMessage DeadLetter(const kafka::ConsumedMessage& m, const NotifierHandler::Job& j,
                                  const Clock& clock) {
  notifier::v1::NotificationDeadLetter d;
  d.set_event_id(j.event_id);
  d.set_source_topic(m.topic);
  d.set_source_partition(m.partition);
  d.set_source_offset(m.offset);
  d.set_kind(j.kind);
  d.set_endpoint_id(j.endpoint->id);
  d.set_target(j.endpoint->Target());
  d.set_template_(TemplateName(j.endpoint->template_kind));
  d.set_last_http_status(j.outcome.last_status);
  d.set_last_error(j.outcome.last_error);
  d.set_attempts(j.outcome.attempts);
  d.set_reason(j.outcome.reason);
  d.set_body(j.body.body);
  d.set_content_type(j.body.content_type);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(clock.Now().time_since_epoch()).count();
  d.mutable_dead_at()->set_seconds(ms / 1000);
  d.mutable_dead_at()->set_nanos(static_cast<int32_t>((ms % 1000) * 1000000));
  kafka::OutgoingMessage out;
  out.topic = topics::kNotificationsDead;
  out.key = j.event_id;
  out.payload = d.SerializeAsString();
  if (auto trace = m.FindHeader(topics::kTraceHeader)) {
    out.headers.push_back({topics::kTraceHeader, std::string(*trace)});
  }
  return out;
}

}  // namespace

NotifierHandler::NotifierHandler(const EventTable& table,
                                 std::shared_ptr<const NotifierPolicy> policy,
                                 const WebhookDelivery& delivery, NotifierMetrics& metrics,
                                 const Clock& clock, const std::atomic<bool>& stop,
                                 std::chrono::milliseconds batch_budget)
    : table_(table),
      policy_(std::move(policy)),
      delivery_(delivery),
      metrics_(metrics),
      clock_(clock),
      stop_(stop),
      batch_budget_(batch_budget) {}

std::vector<kafka::HandledMessage> NotifierHandler::HandleBatch(
    const std::vector<kafka::ConsumedMessage>& batch) {
  std::vector<kafka::HandledMessage> results(batch.size());
  std::vector<Job> jobs;
  for (size_t i = 0; i < batch.size(); ++i) {
    auto event_jobs = JobsFor(batch[i], i);
    if (!event_jobs.ok()) {
      results[i].status = event_jobs.status();
      continue;
    }
    for (auto& j : *event_jobs) jobs.push_back(std::move(j));
  }
  DeliverAll(jobs);
  for (const Job& j : jobs) Settle(j, batch[j.message], results[j.message]);
  // A message with an interrupted delivery is consumed again whole: its
  // dead letters would be produced twice otherwise.
  for (auto& r : results) {
    if (r.status.code() == StatusCode::kUnavailable) r.out.clear();
  }
  return results;
}

auto NotifierHandler::JobsFor(const kafka::ConsumedMessage& m, size_t index)
    -> StatusOr<std::vector<Job>> {
  const EventSource* source = table_.Find(m.topic);
  if (source == nullptr) {
    return Status::InvalidArgument("notifier: no decoder for topic " + m.topic);
  }
  auto decoded = source->decode(m.payload);
  if (!decoded.ok()) return decoded.status();
  std::vector<Job> jobs;
  if (!decoded->has_value()) {
    metrics_.Event(m.topic, EventResult::kIgnored);
    return jobs;
  }
  const Notification& n = **decoded;
  const auto endpoints = policy_->EndpointsFor(n);
  metrics_.Event(m.topic, endpoints.empty() ? EventResult::kNoEndpoint : EventResult::kNotified);
  const std::string event_id = EventId(m.topic, m.partition, m.offset, n.natural_id);
  for (const Endpoint* e : endpoints) {
    Job j;
    j.message = index;
    j.endpoint = e;
    j.event_id = event_id;
    j.kind = n.kind;
    j.body = RenderWebhook(n, *e, event_id);
    jobs.push_back(std::move(j));
  }
  return jobs;
}

void NotifierHandler::DeliverAll(std::vector<Job>& jobs) {
  // Workers take the next job, in batch order, until none is left or the
  // batch budget is spent.
  const auto started = std::chrono::steady_clock::now();
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t k = next++; k < jobs.size(); k = next++) {
      Job& j = jobs[k];
      if (std::chrono::steady_clock::now() - started >= batch_budget_) {
        j.deferred = true;
        continue;
      }
      j.outcome = delivery_.Deliver(*j.endpoint, j.event_id, j.kind, j.body, stop_);
    }
  };
  const size_t workers =
      std::min(jobs.size(), static_cast<size_t>(policy_->max_parallel_deliveries()));
  std::vector<std::thread> threads;
  for (size_t w = 1; w < workers; ++w) {
    try {
      threads.emplace_back(work);
    } catch (const std::system_error& e) {  // no thread to be had: fewer workers
      log::Warn("notifier: cannot start a delivery thread", {{"error", e.what()}});
      break;
    }
  }
  if (!jobs.empty()) work();
  for (auto& t : threads) t.join();
}

void NotifierHandler::Settle(const Job& j, const kafka::ConsumedMessage& m,
                             kafka::HandledMessage& r) {
  const std::string tmpl = TemplateName(j.endpoint->template_kind);
  if (j.deferred) {
    metrics_.Delivery(tmpl, DeliveryEnd::kDeferred);
    r.status = Status::Unavailable("notifier: batch budget spent; delivered in a later batch");
    return;
  }
  if (j.outcome.interrupted) {
    metrics_.Delivery(tmpl, DeliveryEnd::kInterrupted);
    r.status = Status::Unavailable("notifier: shutting down before delivery");
    return;
  }
  metrics_.DeliverySeconds(tmpl, j.outcome.seconds);
  if (j.outcome.delivered) {
    metrics_.Delivery(tmpl, DeliveryEnd::kDelivered);
    return;
  }
  metrics_.Delivery(tmpl, DeliveryEnd::kDeadLettered);
  metrics_.DeadLetter(j.outcome.reason);
  log::Warn("webhook dead-lettered", {{"event_id", j.event_id},
                                      {"endpoint", j.endpoint->id},
                                      {"reason", j.outcome.reason},
                                      {"attempts", std::to_string(j.outcome.attempts)},
                                      {"last_error", j.outcome.last_error}});
  r.out.push_back(DeadLetter(m, j, clock_));
}

}  // namespace leadflow::notifier
