#include "common/kafka/consumer_loop.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "common/kafka/dead_letter.h"
#include "common/lifecycle/interruptible_sleep.h"
#include "common/log/log.h"
#include "common/metrics/service_metrics.h"

namespace leadflow::kafka {
namespace {

leadflow::common::v1::ReasonCode ReasonOf(const Status& s) {
  if (s.reason() != 0 && leadflow::common::v1::ReasonCode_IsValid(s.reason())) {
    return static_cast<leadflow::common::v1::ReasonCode>(s.reason());
  }
  return s.code() == StatusCode::kInvalidArgument ? leadflow::common::v1::MALFORMED_PAYLOAD
                                                  : leadflow::common::v1::INTERNAL_ERROR;
}

// Retried from the same message: Unavailable (e.g. Redis down) and Aborted
// (state changed underneath, e.g. a view's Redis was reset: start over).
bool IsRetryable(const Status& s) {
  return s.code() == StatusCode::kUnavailable || s.code() == StatusCode::kAborted;
}

}  // namespace

ConsumerLoop::ConsumerLoop(std::unique_ptr<Consumer> consumer, Producer& producer,
                           MessageHandler handler, metrics::ServiceMetrics* metrics,
                           const Clock& clock, ConsumerLoopOptions options)
    : ConsumerLoop(std::move(consumer), producer, BatchHandler(), metrics, clock,
                   std::move(options)) {
  handler_ = std::move(handler);
}

ConsumerLoop::ConsumerLoop(std::unique_ptr<Consumer> consumer, Producer& producer,
                           BatchHandler handler, metrics::ServiceMetrics* metrics,
                           const Clock& clock, ConsumerLoopOptions options)
    : consumer_(std::move(consumer)),
      producer_(producer),
      batch_handler_(std::move(handler)),
      metrics_(metrics),
      clock_(clock),
      options_(std::move(options)) {}

void ConsumerLoop::Run(const std::atomic<bool>& stop) {
  int failures = 0;
  std::optional<Batch> previous;  // produced, its deliveries not yet awaited
  while (!stop.load()) {
    // While the previous batch's outputs are on their way, take only what is
    // already waiting: handling it overlaps their delivery.
    auto messages = consumer_->PollBatch(
        options_.max_batch, previous ? std::chrono::milliseconds(0) : options_.poll_timeout);
    std::optional<Batch> next;
    if (!messages.empty()) next = Handle(std::move(messages));
    if (previous) {
      const bool committed = Finish(*previous);
      if (!committed && next) Discard(*next, *previous);
      previous.reset();
      batch_started_ms_ = next && committed ? next->started_ms : 0;
      if (!committed) {
        Settle(false, failures, stop);
        continue;
      }
      Settle(true, failures, stop);
    }
    if (!next) continue;
    Produce(*next);
    if (next->retry_from.empty()) {
      previous = std::move(next);
      continue;
    }
    // A message is to be retried: finish now, so its rewind comes before the
    // next poll and the backoff before the retry.
    Finish(*next);
    batch_started_ms_ = 0;
    Settle(false, failures, stop);
  }
  if (previous) Finish(*previous);
  batch_started_ms_ = 0;
  consumer_->Close();
  log::Info("consumer loop stopped", {{"loop", options_.name}});
}

void ConsumerLoop::Settle(bool committed, int& failures, const std::atomic<bool>& stop) {
  if (committed) {
    failures = 0;
    healthy_ = true;
    return;
  }
  healthy_ = false;
  ++failures;
  auto backoff = std::chrono::milliseconds(std::min<int64_t>(5000, 100LL << std::min(failures, 6)));
  lifecycle::SleepUnlessStopped(stop, backoff);
}

bool ConsumerLoop::stalled() const {
  const int64_t started = batch_started_ms_.load();
  return started != 0 && clock_.NowMillis() - started > options_.stall_after.count();
}

HandledMessage ConsumerLoop::HandleOne(const ConsumedMessage& msg) {
  HandledMessage result;
  try {
    if (handler_) {
      result.status = handler_(msg, result.out);
      return result;
    }
    auto results = batch_handler_(std::vector<ConsumedMessage>{msg});
    if (results.size() == 1) return std::move(results.front());
    result.status = Status::Internal("batch handler returned " + std::to_string(results.size()) +
                                     " results for 1 message");
  } catch (const std::exception& e) {
    result.status = Status::Internal(std::string("handler threw: ") + e.what());
  } catch (...) {
    result.status = Status::Internal("handler threw a non-standard exception");
  }
  result.out.clear();
  return result;
}

std::vector<HandledMessage> ConsumerLoop::HandleAsBatch(const std::vector<ConsumedMessage>& batch) {
  std::string problem;
  try {
    auto results = batch_handler_(batch);
    if (results.size() == batch.size()) return results;
    problem = "returned " + std::to_string(results.size()) + " results for " +
              std::to_string(batch.size()) + " messages";
  } catch (const std::exception& e) {
    problem = std::string("threw: ") + e.what();
  } catch (...) {
    problem = "threw a non-standard exception";
  }
  log::Warn("batch handler failed; handling the batch one message at a time",
            {{"loop", options_.name}, {"error", problem}});
  std::vector<HandledMessage> results;
  results.reserve(batch.size());
  for (const auto& msg : batch) results.push_back(HandleOne(msg));
  return results;
}

ConsumerLoop::Batch ConsumerLoop::Handle(std::vector<ConsumedMessage> messages) {
  Batch batch;
  batch.started_ms = std::max<int64_t>(1, clock_.NowMillis());
  if (batch_started_ms_.load() == 0) batch_started_ms_ = batch.started_ms;
  batch.messages = std::move(messages);
  const auto& msgs = batch.messages;
  auto seconds_since = [](std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
  };
  const auto started = std::chrono::steady_clock::now();
  if (batch_handler_) {
    batch.results = HandleAsBatch(msgs);
    batch.handler_seconds.assign(msgs.size(),
                                 seconds_since(started) / static_cast<double>(msgs.size()));
    return batch;
  }
  std::set<PartitionKey> failed;  // later messages of a failed partition wait for its retry
  batch.results.resize(msgs.size());
  batch.handler_seconds.resize(msgs.size());
  for (size_t i = 0; i < msgs.size(); ++i) {
    PartitionKey key{msgs[i].topic, msgs[i].partition};
    if (failed.count(key)) continue;  // never read: Produce() skips it too
    const auto one = std::chrono::steady_clock::now();
    batch.results[i] = HandleOne(msgs[i]);
    batch.handler_seconds[i] = seconds_since(one);
    if (IsRetryable(batch.results[i].status)) failed.insert(key);
  }
  return batch;
}

void ConsumerLoop::Produce(Batch& batch) {
  for (size_t i = 0; i < batch.messages.size(); ++i) {
    const auto& msg = batch.messages[i];
    PartitionKey key{msg.topic, msg.partition};
    batch.first_offset.emplace(key, msg.offset);
    if (batch.retry_from.count(key)) continue;  // keep per-partition order behind a failure
    const auto started = std::chrono::steady_clock::now();
    HandledMessage& result = batch.results[i];
    const Status s = result.status;
    if (IsRetryable(s)) {
      batch.retry_from[key] = msg.offset;
      if (metrics_) metrics_->Error("transient");
      log::Warn("transient failure; will retry",
                {{"loop", options_.name}, {"partition", std::to_string(msg.partition)},
                 {"offset", std::to_string(msg.offset)}, {"error", s.message()}});
      continue;
    }
    Planned plan;
    if (s.ok()) {
      plan.out = std::move(result.out);
    } else {
      plan.out.push_back(DeadLetterFor(msg, s));
      plan.dead_letter = true;
    }
    if (!ProduceAll(msg, plan).ok()) {
      batch.retry_from[key] = msg.offset;
      continue;
    }
    batch.produced.emplace_back(i, std::move(plan));
    batch.next_offset[key] = msg.offset + 1;
    if (metrics_) {
      metrics_->ProcessingSeconds(
          msg.topic,
          batch.handler_seconds[i] +
              std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    }
  }
}

bool ConsumerLoop::Finish(Batch& batch) {
  Status flushed = producer_.Flush(options_.flush_timeout);
  if (IsPermanentProduceFailure(flushed)) {
    // Some output can never be delivered (it may be another loop's: the
    // producer is shared). Find which: produce this batch's outputs again one
    // message at a time, each waiting for its own delivery report. Outputs
    // already delivered are delivered again (an identical redelivery).
    log::Error("flush reported a permanent delivery failure; producing the batch again one "
               "message at a time to find it",
               {{"loop", options_.name}, {"error", flushed.message()}});
    batch.next_offset.clear();
    for (const auto& [i, plan] : batch.produced) {
      const auto& msg = batch.messages[i];
      PartitionKey key{msg.topic, msg.partition};
      if (batch.retry_from.count(key)) continue;
      if (!ProduceEachAndWait(msg, plan).ok()) {
        batch.retry_from[key] = msg.offset;
        continue;
      }
      batch.next_offset[key] = msg.offset + 1;
    }
  } else if (!flushed.ok()) {
    log::Error("flush failed; rewinding batch",
               {{"loop", options_.name}, {"error", flushed.message()}});
    for (const auto& [key, offset] : batch.first_offset) {
      Rewind(key.first, key.second, offset);
      batch.rewound.insert(key);
    }
    return false;
  }
  std::vector<TopicPartitionOffset> commits;
  for (const auto& [key, offset] : batch.next_offset) {
    commits.push_back({key.first, key.second, offset});
  }
  if (Status c = consumer_->Commit(commits); !c.ok()) {
    // Outputs are durable; a failed commit only means redelivery, which the
    // idempotent handlers absorb.
    log::Warn("commit failed", {{"loop", options_.name}, {"error", c.message()}});
  }
  for (const auto& [key, offset] : batch.retry_from) {
    Rewind(key.first, key.second, offset);
    batch.rewound.insert(key);
  }
  return batch.retry_from.empty();
}

void ConsumerLoop::Discard(const Batch& batch, const Batch& failed) {
  std::map<PartitionKey, int64_t> first_offset;
  for (const auto& msg : batch.messages) {
    first_offset.emplace(PartitionKey{msg.topic, msg.partition}, msg.offset);
  }
  for (const auto& [key, offset] : first_offset) {
    if (!failed.rewound.count(key)) Rewind(key.first, key.second, offset);
  }
}

OutgoingMessage ConsumerLoop::DeadLetterFor(const ConsumedMessage& msg, const Status& why) {
  // The producer counts the dead letter (dead_lettered_total) on send.
  if (metrics_) metrics_->Error(StatusCodeName(why.code()));
  log::Warn("message dead-lettered",
            {{"loop", options_.name}, {"topic", msg.topic},
             {"partition", std::to_string(msg.partition)},
             {"offset", std::to_string(msg.offset)}, {"error", why.message()}});
  return ToDeadLetterMessage(
      MakeRejection(msg, options_.stage, ReasonOf(why), why.message(), clock_.NowMillis()));
}

OutgoingMessage ConsumerLoop::DeadLetterForUnproducible(const ConsumedMessage& msg,
                                                        const OutgoingMessage& output,
                                                        const Status& why) {
  NotePermanentFailure();
  if (metrics_) metrics_->Error("kafka_produce_permanent");
  log::Error("an output can never be produced; dead-lettering its input instead",
             {{"loop", options_.name}, {"topic", msg.topic},
              {"partition", std::to_string(msg.partition)},
              {"offset", std::to_string(msg.offset)}, {"output_topic", output.topic},
              {"output_bytes", std::to_string(output.payload.size())}, {"error", why.message()}});
  return DeadLetterFor(msg, Status::Internal("its output to " + output.topic + " (" +
                                             std::to_string(output.payload.size()) +
                                             " bytes) cannot be produced: " + why.message()));
}

Status ConsumerLoop::ProduceAll(const ConsumedMessage& msg, Planned& plan) {
  for (size_t j = 0; j < plan.out.size(); ++j) {
    Status s = producer_.Produce(plan.out[j]);
    if (s.ok()) continue;
    if (IsPermanentProduceFailure(s) && !plan.dead_letter) {
      // The outputs before it are on their way; the input's dead letter
      // replaces the rest, and the partition moves on.
      OutgoingMessage replacement = DeadLetterForUnproducible(msg, plan.out[j], s);
      plan.out.resize(j);
      plan.out.push_back(std::move(replacement));
      plan.dead_letter = true;
      s = producer_.Produce(plan.out.back());
      if (s.ok()) return s;
    }
    return ProduceFailed(msg, plan.dead_letter, s);
  }
  return Status::Ok();
}

Status ConsumerLoop::ProduceEachAndWait(const ConsumedMessage& msg, const Planned& plan) {
  for (const auto& o : plan.out) {
    Status s = producer_.ProduceAndWait(o, options_.flush_timeout);
    if (s.ok()) continue;
    if (IsPermanentProduceFailure(s) && !plan.dead_letter) {
      s = producer_.ProduceAndWait(DeadLetterForUnproducible(msg, o, s), options_.flush_timeout);
      if (s.ok()) return s;  // the input's dead letter replaces its other outputs
      return ProduceFailed(msg, true, s);
    }
    return ProduceFailed(msg, plan.dead_letter, s);
  }
  return Status::Ok();
}

Status ConsumerLoop::ProduceFailed(const ConsumedMessage& msg, bool dead_letter, const Status& s) {
  if (dead_letter) {
    // Nothing else can carry this input: retry it with backoff, unready, and
    // say so every time.
    if (IsPermanentProduceFailure(s)) NotePermanentFailure();
    if (metrics_) metrics_->Error("dead_letter_failed");
    log::Error("dead letter cannot be produced; retrying the message",
               {{"loop", options_.name}, {"topic", msg.topic},
                {"partition", std::to_string(msg.partition)},
                {"offset", std::to_string(msg.offset)}, {"error", s.message()}});
  } else {
    if (metrics_) metrics_->Error("kafka_produce");
    log::Warn("produce failed; will retry the message",
              {{"loop", options_.name}, {"topic", msg.topic},
               {"partition", std::to_string(msg.partition)},
               {"offset", std::to_string(msg.offset)}, {"error", s.message()}});
  }
  return s;
}

void ConsumerLoop::NotePermanentFailure() {
  const int64_t now = clock_.NowMillis();
  const int64_t window = options_.permanent_failure_window.count();
  recent_permanent_.push_back(now);
  while (!recent_permanent_.empty() && recent_permanent_.front() <= now - window) {
    recent_permanent_.pop_front();
  }
  if (recent_permanent_.size() >= options_.permanent_failures_for_unready) {
    unready_until_ms_ = now + window;
  }
}

bool ConsumerLoop::healthy() const {
  return healthy_.load() && clock_.NowMillis() >= unready_until_ms_.load();
}

void ConsumerLoop::Rewind(const std::string& topic, int32_t partition, int64_t offset) {
  if (Status s = consumer_->Seek({topic, partition, offset}); !s.ok()) {
    log::Error("rewind failed", {{"loop", options_.name}, {"topic", topic},
                                 {"partition", std::to_string(partition)},
                                 {"offset", std::to_string(offset)}, {"error", s.message()}});
  }
}

}  // namespace leadflow::kafka
