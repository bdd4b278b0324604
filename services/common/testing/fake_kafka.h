// In-memory fakes of the Kafka interfaces, for hermetic unit tests of
// handlers and the consumer loop. Their methods are thread-safe, so a test may
// run the loop on a thread and poll Drained() or Committed() meanwhile; the
// public fields may be read only while no other thread uses the fake (after
// the loop's thread was joined).
#pragma once

#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "common/kafka/consumer.h"
#include "common/kafka/producer.h"

namespace leadflow::testing {

class FakeProducer : public kafka::Producer {
 public:
  Status Produce(const kafka::OutgoingMessage& m) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (fail_produce) return Status::Unavailable("fake produce failure");
    pending.push_back(m);
    return Status::Ok();
  }
  Status Flush(std::chrono::milliseconds) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (fail_flush) {
      pending.clear();
      return Status::Unavailable("fake flush failure");
    }
    for (auto& m : pending) sent.push_back(std::move(m));
    pending.clear();
    return Status::Ok();
  }
  Status ProduceAndWait(const kafka::OutgoingMessage& m, std::chrono::milliseconds t) override {
    if (auto s = Produce(m); !s.ok()) return s;
    return Flush(t);
  }
  std::vector<kafka::OutgoingMessage> SentTo(const std::string& topic) const {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<kafka::OutgoingMessage> out;
    for (const auto& m : sent) {
      if (m.topic == topic) out.push_back(m);
    }
    return out;
  }

  std::vector<kafka::OutgoingMessage> pending;
  std::vector<kafka::OutgoingMessage> sent;
  bool fail_produce = false;
  bool fail_flush = false;

 private:
  mutable std::mutex mu_;
};

// Serves queued messages in batches; Seek() re-queues from the log, like a
// real consumer rewinding a partition.
class FakeConsumer : public kafka::Consumer {
 public:
  void Add(kafka::ConsumedMessage m) {
    std::lock_guard<std::mutex> lock(mu_);
    auto& log = logs[{m.topic, m.partition}];
    m.offset = static_cast<int64_t>(log.size());
    log.push_back(m);
    queue.push_back(m);
  }
  std::vector<kafka::ConsumedMessage> PollBatch(size_t max,
                                                std::chrono::milliseconds) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<kafka::ConsumedMessage> out;
    while (!queue.empty() && out.size() < max) {
      out.push_back(queue.front());
      queue.pop_front();
    }
    empty_polls_ = out.empty() ? empty_polls_ + 1 : 0;
    return out;
  }
  Status Commit(const std::vector<kafka::TopicPartitionOffset>& offsets) override {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& o : offsets) committed[{o.topic, o.partition}] = o.offset;
    return Status::Ok();
  }
  Status Seek(const kafka::TopicPartitionOffset& p) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::deque<kafka::ConsumedMessage> rest;
    for (auto& m : queue) {
      if (m.topic != p.topic || m.partition != p.partition) rest.push_back(m);
    }
    const auto& log = logs[{p.topic, p.partition}];
    for (size_t i = static_cast<size_t>(p.offset); i < log.size(); ++i) rest.push_back(log[i]);
    queue = std::move(rest);
    ++seeks;
    return Status::Ok();
  }
  int AssignedPartitions() const override { return 1; }
  void Close() override {
    std::lock_guard<std::mutex> lock(mu_);
    closed = true;
  }
  // True when every queued message was handed out and the consumer was polled
  // again and found nothing: a loop that polls, handles and commits on one
  // thread is done with its last batch (a rewind would have re-queued it).
  bool Drained() const {
    std::lock_guard<std::mutex> lock(mu_);
    return queue.empty() && empty_polls_ > 0;
  }
  // The committed offset of a partition (0 when none was committed).
  int64_t Committed(const std::string& topic, int32_t partition) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = committed.find({topic, partition});
    return it == committed.end() ? 0 : it->second;
  }

  std::map<std::pair<std::string, int32_t>, std::vector<kafka::ConsumedMessage>> logs;
  std::deque<kafka::ConsumedMessage> queue;
  std::map<std::pair<std::string, int32_t>, int64_t> committed;
  int seeks = 0;
  bool closed = false;

 private:
  mutable std::mutex mu_;
  int empty_polls_ = 0;  // polls in a row that found nothing
};

}  // namespace leadflow::testing
