#include "common/kafka/producer.h"

#include <atomic>
#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include "common/kafka/rdkafka_config.h"
#include "common/kafka/topics.h"
#include "common/log/log.h"
#include "common/metrics/service_metrics.h"

namespace leadflow::kafka {
namespace {

// Shared with librdkafka's callbacks through the conf opaque.
struct ProducerState {
  metrics::ServiceMetrics* metrics = nullptr;
  std::mutex mu;
  // Messages enqueued and not yet reported delivered (or failed); Flush()
  // waits on `drained` for it to reach zero.
  std::condition_variable drained;
  int64_t in_flight = 0;
  // Messages without their own waiter (Produce(), not ProduceAndWait()) that
  // failed for good, ever. Never reset: every thread's Flush() compares it
  // with the value it saw at its previous Flush() (or first Produce()), so a
  // failure is reported to every thread that may own the message instead of
  // to whichever thread happened to flush first.
  uint64_t failures = 0;
  std::map<std::thread::id, uint64_t> failures_seen;
  // The same for failures that retrying cannot fix (ClassifyProduceError:
  // kPermanent), so Flush() can tell the consumer loop to find the culprit.
  uint64_t permanent_failures = 0;
  std::map<std::thread::id, uint64_t> permanent_seen;
  std::string last_permanent;  // "<error name> on <topic>", for the Flush() message
};

void DeliveryReport(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque) {
  auto* state = static_cast<ProducerState*>(opaque);
  const bool permanent =
      msg->err && internal::ClassifyProduceError(msg->err) == internal::ProduceErrorClass::kPermanent;
  if (msg->err) {
    if (state->metrics) state->metrics->Error(permanent ? "kafka_delivery_permanent" : "kafka_delivery");
    log::Error("kafka delivery failed",
               {{"topic", rd_kafka_topic_name(msg->rkt)},
                {"error", rd_kafka_err2name(msg->err)},
                {"class", permanent ? "permanent" : "transient"},
                {"bytes", std::to_string(msg->len)},
                {"detail", rd_kafka_err2str(msg->err)}});
  }
  // A ProduceAndWait() message reports its failure to its own waiter only.
  if (msg->_private) {
    static_cast<std::promise<rd_kafka_resp_err_t>*>(msg->_private)->set_value(msg->err);
  }
  std::lock_guard lock(state->mu);
  if (msg->err && msg->_private == nullptr) {
    ++state->failures;
    if (permanent) {
      ++state->permanent_failures;
      state->last_permanent =
          std::string(rd_kafka_err2name(msg->err)) + " on " + rd_kafka_topic_name(msg->rkt);
    }
  }
  if (--state->in_flight == 0) state->drained.notify_all();
}

void ErrorCallback(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
  internal::OnClientError(rk, err, reason, static_cast<ProducerState*>(opaque)->metrics);
}

class KafkaProducer final : public Producer {
 public:
  KafkaProducer(rd_kafka_t* rk, std::unique_ptr<ProducerState> state)
      : rk_(rk), state_(std::move(state)), poller_([this] { PollLoop(); }) {}

  ~KafkaProducer() override {
    rd_kafka_flush(rk_, 10000);
    stop_ = true;
    poller_.join();
    rd_kafka_destroy(rk_);
  }

  Status Produce(const OutgoingMessage& m) override { return Enqueue(m, nullptr); }

  Status ProduceAndWait(const OutgoingMessage& m, std::chrono::milliseconds timeout) override {
    std::promise<rd_kafka_resp_err_t> done;
    auto fut = done.get_future();
    if (auto s = Enqueue(m, &done); !s.ok()) return s;
    // The promise must outlive the delivery report, which always comes (at the
    // latest when message.timeout.ms expires), so wait for it unconditionally
    // after the caller's timeout has been reported.
    if (fut.wait_for(timeout) != std::future_status::ready) {
      fut.wait();
      return Status::Unavailable("kafka delivery to " + m.topic + " exceeded " +
                                 std::to_string(timeout.count()) + " ms");
    }
    rd_kafka_resp_err_t err = fut.get();
    if (err) return internal::ProduceErrorStatus(err, "kafka delivery to " + m.topic);
    return Status::Ok();
  }

  // Delivery reports are served by the poller thread, so this waits for them
  // on a condition variable rather than in rd_kafka_flush(): that one polls
  // the report queue itself in 10 ms slices and is not woken when the poller
  // thread takes the last report, which added ~10 ms to every flush.
  Status Flush(std::chrono::milliseconds timeout) override {
    // A zero-timeout rd_kafka_flush() only wakes the broker threads to send
    // what is queued now instead of waiting out linger.ms.
    rd_kafka_flush(rk_, 0);
    std::unique_lock lock(state_->mu);
    // A thread that never produced (e.g. the shutdown drain, after the loops
    // have flushed their own batches) sees the failures during this wait.
    const auto self = std::this_thread::get_id();
    uint64_t& seen = state_->failures_seen.try_emplace(self, state_->failures).first->second;
    uint64_t& permanent_seen =
        state_->permanent_seen.try_emplace(self, state_->permanent_failures).first->second;
    if (!state_->drained.wait_for(lock, timeout, [&] { return state_->in_flight == 0; })) {
      return Status::Unavailable("kafka flush timed out with " +
                                 std::to_string(state_->in_flight) + " messages in flight");
    }
    const uint64_t failed = state_->failures - seen;
    const uint64_t permanent = state_->permanent_failures - permanent_seen;
    seen = state_->failures;
    permanent_seen = state_->permanent_failures;
    if (permanent > 0) {
      return Status::InvalidArgument(
          "permanent: " + std::to_string(permanent) + " of " + std::to_string(failed) +
          " failed messages since this thread's previous flush can never be delivered (last: " +
          state_->last_permanent + ")");
    }
    if (failed > 0) {
      return Status::Unavailable(std::to_string(failed) +
                                 " messages failed delivery since this thread's previous flush");
    }
    return Status::Ok();
  }

 private:
  Status Enqueue(const OutgoingMessage& m, std::promise<rd_kafka_resp_err_t>* waiter) {
    rd_kafka_headers_t* headers = nullptr;
    if (!m.headers.empty()) {
      headers = rd_kafka_headers_new(m.headers.size());
      for (const auto& h : m.headers) {
        rd_kafka_header_add(headers, h.key.data(), h.key.size(), h.value.data(), h.value.size());
      }
    }
    // Counted before it is enqueued: its delivery report may come (on the
    // poller thread) before rd_kafka_producev() returns.
    {
      std::lock_guard lock(state_->mu);
      ++state_->in_flight;
      // From its first message on, a thread's Flush() reports failures that
      // happen after this point.
      state_->failures_seen.try_emplace(std::this_thread::get_id(), state_->failures);
      state_->permanent_seen.try_emplace(std::this_thread::get_id(), state_->permanent_failures);
    }
    // Back-pressure: while the local queue is full, wait for deliveries to drain it.
    for (int attempt = 0;; ++attempt) {
      rd_kafka_resp_err_t err = rd_kafka_producev(
          rk_, RD_KAFKA_V_TOPIC(m.topic.c_str()),
          // An empty payload is a tombstone: a null value, which compaction
          // removes after delete.retention.ms (an empty one would stay).
          RD_KAFKA_V_VALUE(m.payload.empty() ? nullptr : const_cast<char*>(m.payload.data()),
                           m.payload.size()),
          RD_KAFKA_V_KEY(m.key.empty() ? nullptr : m.key.data(), m.key.size()),
          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(headers),
          RD_KAFKA_V_OPAQUE(waiter), RD_KAFKA_V_END);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (state_->metrics) {
          state_->metrics->Produced(m.topic);
          // Every leads.rejected record is a dead letter, whoever built it
          // (consumer loop or handler); its reason travels in the header.
          if (m.topic == topics::kLeadsRejected) {
            std::string reason = "UNKNOWN";
            for (const auto& h : m.headers) {
              if (h.key == "reason") reason = h.value;
            }
            state_->metrics->DeadLettered(reason);
          }
        }
        return Status::Ok();
      }
      if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL && attempt < 300) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        continue;
      }
      if (headers) rd_kafka_headers_destroy(headers);
      {
        std::lock_guard lock(state_->mu);
        if (--state_->in_flight == 0) state_->drained.notify_all();
      }
      return internal::ProduceErrorStatus(err, "produce to " + m.topic + " (" +
                                                   std::to_string(m.payload.size()) + " bytes)");
    }
  }

  void PollLoop() {
    while (!stop_) rd_kafka_poll(rk_, 100);
  }

  rd_kafka_t* rk_;
  std::unique_ptr<ProducerState> state_;
  std::atomic<bool> stop_{false};
  std::thread poller_;
};

}  // namespace

StatusOr<std::unique_ptr<Producer>> MakeKafkaProducer(const ProducerOptions& options,
                                                      metrics::ServiceMetrics* metrics) {
  std::map<std::string, std::string> props = {
      {"bootstrap.servers", options.brokers},
      {"client.id", options.client_id},
      {"enable.idempotence", "true"},
      {"acks", "all"},
      {"linger.ms", std::to_string(options.linger_ms)},
      {"message.timeout.ms", "120000"},
      {"queue.buffering.max.messages", "200000"},
  };
  auto state = std::make_unique<ProducerState>();
  state->metrics = metrics;
  auto rk_or = internal::NewClient(
      {RD_KAFKA_PRODUCER, "kafka producer", std::move(props), options.extra_properties,
       state.get(), ErrorCallback,
       [](rd_kafka_conf_t* conf) { rd_kafka_conf_set_dr_msg_cb(conf, DeliveryReport); }});
  if (!rk_or.ok()) return rk_or.status();
  rd_kafka_t* rk = *rk_or;
  return std::unique_ptr<Producer>(std::make_unique<KafkaProducer>(rk, std::move(state)));
}

}  // namespace leadflow::kafka
