#include "common/kafka/consumer_loop.h"

#include <algorithm>
#include <map>
#include <thread>
#include <utility>

#include "common/kafka/dead_letter.h"
#include "common/log/log.h"
#include "common/metrics/service_metrics.h"

namespace leadflow::kafka {
namespace {

using PartitionKey = std::pair<std::string, int32_t>;

leadflow::common::v1::ReasonCode ReasonOf(const Status& s) {
  if (s.reason() != 0 && leadflow::common::v1::ReasonCode_IsValid(s.reason())) {
    return static_cast<leadflow::common::v1::ReasonCode>(s.reason());
  }
  return s.code() == StatusCode::kInvalidArgument ? leadflow::common::v1::MALFORMED_PAYLOAD
                                                  : leadflow::common::v1::INTERNAL_ERROR;
}

}  // namespace

ConsumerLoop::ConsumerLoop(std::unique_ptr<Consumer> consumer, Producer& producer,
                           MessageHandler handler, metrics::ServiceMetrics* metrics,
                           const Clock& clock, ConsumerLoopOptions options)
    : consumer_(std::move(consumer)),
      producer_(producer),
      handler_(std::move(handler)),
      metrics_(metrics),
      clock_(clock),
      options_(std::move(options)) {}

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
  while (!stop.load()) {
    auto batch = consumer_->PollBatch(options_.max_batch, options_.poll_timeout);
    if (batch.empty()) continue;
    batch_started_ms_ = std::max<int64_t>(1, clock_.NowMillis());
    const bool done = ProcessBatch(batch);
    batch_started_ms_ = 0;
    if (done) {
      failures = 0;
      healthy_ = true;
      continue;
    }
    healthy_ = false;
    ++failures;
    auto backoff = std::chrono::milliseconds(std::min<int64_t>(5000, 100LL << std::min(failures, 6)));
    for (auto waited = std::chrono::milliseconds(0); waited < backoff && !stop.load();
         waited += std::chrono::milliseconds(50)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  consumer_->Close();
  log::Info("consumer loop stopped", {{"loop", options_.name}});
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

bool ConsumerLoop::ProcessBatch(const std::vector<ConsumedMessage>& batch) {
  std::map<PartitionKey, int64_t> first_offset;  // where to rewind if the flush fails
  std::map<PartitionKey, int64_t> next_offset;   // what to commit
  std::map<PartitionKey, int64_t> retry_from;    // transient failures
  std::vector<HandledMessage> batch_results;
  double batch_seconds_each = 0;
  if (batch_handler_) {
    const auto started = std::chrono::steady_clock::now();
    batch_results = HandleAsBatch(batch);
    batch_seconds_each =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() /
        static_cast<double>(batch.size());
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    const auto& msg = batch[i];
    PartitionKey key{msg.topic, msg.partition};
    first_offset.emplace(key, msg.offset);
    if (retry_from.count(key)) continue;  // keep per-partition order behind a failure
    const auto started = std::chrono::steady_clock::now();
    HandledMessage result = batch_handler_ ? std::move(batch_results[i]) : HandleOne(msg);
    const Status s = result.status;
    std::vector<OutgoingMessage>& out = result.out;
    if (s.code() == StatusCode::kUnavailable) {
      retry_from[key] = msg.offset;
      if (metrics_) metrics_->Error("transient");
      log::Warn("transient failure; will retry",
                {{"loop", options_.name}, {"partition", std::to_string(msg.partition)},
                 {"offset", std::to_string(msg.offset)}, {"error", s.message()}});
      continue;
    }
    if (!s.ok()) {
      auto reason = ReasonOf(s);
      out.clear();
      out.push_back(ToDeadLetterMessage(
          MakeRejection(msg, options_.stage, reason, s.message(), clock_.NowMillis())));
      // The producer counts the dead letter (dead_lettered_total) on send.
      if (metrics_) metrics_->Error(StatusCodeName(s.code()));
      log::Warn("message dead-lettered",
                {{"loop", options_.name}, {"topic", msg.topic},
                 {"partition", std::to_string(msg.partition)},
                 {"offset", std::to_string(msg.offset)}, {"error", s.message()}});
    }
    bool produced = true;
    for (const auto& o : out) {
      if (!producer_.Produce(o).ok()) {
        produced = false;
        break;
      }
    }
    if (!produced) {
      retry_from[key] = msg.offset;
      continue;
    }
    next_offset[key] = msg.offset + 1;
    if (metrics_) {
      metrics_->ProcessingSeconds(
          msg.topic,
          batch_seconds_each +
              std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    }
  }

  Status flushed = producer_.Flush(options_.flush_timeout);
  if (!flushed.ok()) {
    log::Error("flush failed; rewinding batch", {{"loop", options_.name}, {"error", flushed.message()}});
    for (const auto& [key, offset] : first_offset) Rewind(key.first, key.second, offset);
    return false;
  }
  std::vector<TopicPartitionOffset> commits;
  for (const auto& [key, offset] : next_offset) commits.push_back({key.first, key.second, offset});
  if (Status c = consumer_->Commit(commits); !c.ok()) {
    // Outputs are durable; a failed commit only means redelivery, which the
    // idempotent handlers absorb.
    log::Warn("commit failed", {{"loop", options_.name}, {"error", c.message()}});
  }
  for (const auto& [key, offset] : retry_from) Rewind(key.first, key.second, offset);
  return retry_from.empty();
}

void ConsumerLoop::Rewind(const std::string& topic, int32_t partition, int64_t offset) {
  if (Status s = consumer_->Seek({topic, partition, offset}); !s.ok()) {
    log::Error("rewind failed", {{"loop", options_.name}, {"topic", topic},
                                 {"partition", std::to_string(partition)},
                                 {"offset", std::to_string(offset)}, {"error", s.message()}});
  }
}

}  // namespace leadflow::kafka
