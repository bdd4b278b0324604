// The consumer loop overlaps batches: batch N+1 is handled while batch N's
// outputs are in flight, and is produced only after N is flushed and
// committed (consumer_loop.h).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/kafka/consumer_loop.h"
#include "common/metrics/service_metrics.h"
#include "common/testing/consumer_loop_driver.h"
#include "common/testing/fake_kafka.h"

namespace leadflow::kafka {
namespace {

// What the loop did, in order: "handle a", "produce a", "flush", "commit in/0=1".
struct Events {
  std::mutex mu;
  std::vector<std::string> list;
  void Add(std::string e) {
    std::lock_guard lock(mu);
    list.push_back(std::move(e));
  }
  std::vector<std::string> Get() {
    std::lock_guard lock(mu);
    return list;
  }
};

class RecordingProducer : public testing::FakeProducer {
 public:
  explicit RecordingProducer(Events& events) : events_(events) {}
  Status Produce(const OutgoingMessage& m) override {
    events_.Add("produce " + m.payload);
    return FakeProducer::Produce(m);
  }
  Status Flush(std::chrono::milliseconds t) override {
    events_.Add(fail_next_flush ? "flush (fails)" : "flush");
    fail_flush = fail_next_flush;
    fail_next_flush = false;
    return FakeProducer::Flush(t);
  }
  bool fail_next_flush = false;

 private:
  Events& events_;
};

class RecordingConsumer : public testing::FakeConsumer {
 public:
  explicit RecordingConsumer(Events& events) : events_(events) {}
  Status Commit(const std::vector<TopicPartitionOffset>& offsets) override {
    for (const auto& o : offsets) {
      events_.Add("commit " + o.topic + "/" + std::to_string(o.partition) + "=" +
                  std::to_string(o.offset));
    }
    return FakeConsumer::Commit(offsets);
  }
  Status Seek(const TopicPartitionOffset& p) override {
    events_.Add("rewind " + p.topic + "/" + std::to_string(p.partition) + " to " +
                std::to_string(p.offset));
    return FakeConsumer::Seek(p);
  }

 private:
  Events& events_;
};

class ConsumerLoopOverlapTest : public ::testing::Test {
 protected:
  // One message per batch, so two queued messages make two batches.
  std::unique_ptr<ConsumerLoop> MakeLoop() {
    auto c = std::make_unique<RecordingConsumer>(events_);
    consumer_ = c.get();
    ConsumerLoopOptions options;
    options.max_batch = 1;
    auto handler = [this](const ConsumedMessage& m, std::vector<OutgoingMessage>& out) {
      events_.Add("handle " + m.payload);
      out.push_back({"out", "", m.payload, {}});
      return Status::Ok();
    };
    return std::make_unique<ConsumerLoop>(std::move(c), producer_, handler, &metrics_, clock_,
                                          options);
  }
  void RunUntilDrained(ConsumerLoop& loop) { testing::RunLoopUntilDrained(loop, *consumer_); }
  std::vector<std::string> Payloads(const std::string& topic) {
    std::vector<std::string> out;
    for (const auto& m : producer_.SentTo(topic)) out.push_back(m.payload);
    return out;
  }

  Events events_;
  RecordingProducer producer_{events_};
  RecordingConsumer* consumer_ = nullptr;
  metrics::Registry registry_;
  metrics::ServiceMetrics metrics_{registry_, "test"};
  FakeClock clock_{1000};
};

TEST_F(ConsumerLoopOverlapTest, TheNextBatchIsHandledWhileThePreviousIsInFlightAndProducedAfterItsCommit) {
  auto loop = MakeLoop();
  consumer_->Add(testing::InputRecord("a", 0));
  consumer_->Add(testing::InputRecord("b", 0));
  RunUntilDrained(*loop);
  const std::vector<std::string> expected = {
      "handle a", "produce a",                // batch 1 handled and on its way
      "handle b",                             // batch 2 handled meanwhile
      "flush",    "commit in/0=1",            // batch 1 delivered, then committed
      "produce b", "flush", "commit in/0=2",  // only then batch 2 goes out
  };
  EXPECT_EQ(events_.Get(), expected);
  EXPECT_EQ(Payloads("out"), (std::vector<std::string>{"a", "b"}));
}

TEST_F(ConsumerLoopOverlapTest, WhenThePreviousFlushFailsTheHandledNextBatchIsDroppedUnproducedAndRewound) {
  auto loop = MakeLoop();
  producer_.fail_next_flush = true;
  consumer_->Add(testing::InputRecord("a", 0));
  consumer_->Add(testing::InputRecord("b", 1));
  RunUntilDrained(*loop);
  const auto events = events_.Get();
  const std::vector<std::string> first_attempt = {
      "handle a", "produce a", "handle b", "flush (fails)",
      "rewind in/0 to 0",  // batch 1 rewound
      "rewind in/1 to 0",  // batch 2, handled but never produced, rewound too
  };
  ASSERT_GE(events.size(), first_attempt.size());
  EXPECT_EQ(std::vector<std::string>(events.begin(), events.begin() + first_attempt.size()),
            first_attempt);
  // Each output went out exactly once, in order, and both partitions were committed.
  EXPECT_EQ(Payloads("out"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(consumer_->Committed("in", 0), 1);
  EXPECT_EQ(consumer_->Committed("in", 1), 1);
}

TEST_F(ConsumerLoopOverlapTest, ABatchWithAMessageToRetryIsFinishedBeforeTheNextPoll) {
  int calls = 0;
  auto c = std::make_unique<RecordingConsumer>(events_);
  consumer_ = c.get();
  ConsumerLoopOptions options;
  options.max_batch = 1;
  ConsumerLoop loop(
      std::move(c), producer_,
      [&](const ConsumedMessage& m, std::vector<OutgoingMessage>& out) {
        events_.Add("handle " + m.payload);
        if (m.payload == "a" && calls++ == 0) return Status::Unavailable("redis down");
        out.push_back({"out", "", m.payload, {}});
        return Status::Ok();
      },
      &metrics_, clock_, options);
  consumer_->Add(testing::InputRecord("a", 0));
  consumer_->Add(testing::InputRecord("b", 0));
  RunUntilDrained(loop);
  const auto events = events_.Get();
  const std::vector<std::string> first = {"handle a", "flush", "rewind in/0 to 0", "handle a"};
  ASSERT_GE(events.size(), first.size());
  EXPECT_EQ(std::vector<std::string>(events.begin(), events.begin() + first.size()), first)
      << "b must not be handled before a's retry";
  EXPECT_EQ(Payloads("out"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(consumer_->Committed("in", 0), 2);
}

}  // namespace
}  // namespace leadflow::kafka
