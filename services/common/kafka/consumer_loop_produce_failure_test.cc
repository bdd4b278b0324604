// The consumer loop when outputs cannot be produced: a permanent failure
// (too large, unknown topic, not authorized) reported by Produce() at once or
// by Flush() later dead-letters the input and the partition moves on; a dead
// letter that cannot be produced either is retried loudly, never silently;
// recurring permanent failures make the loop unhealthy (docs/reliability.md).
#include <gtest/gtest.h>

#include <functional>
#include <mutex>
#include <thread>

#include "common/kafka/consumer_loop.h"
#include "common/kafka/topics.h"
#include "common/metrics/service_metrics.h"
#include "common/testing/consumer_loop_driver.h"
#include "common/testing/fake_kafka.h"

namespace leadflow::kafka {
namespace {

using leadflow::testing::FakeConsumer;

// Refuses the messages `refuse` picks, permanently: at Produce() when
// `at_produce`, else only when delivered (Flush() reports a permanent
// failure; ProduceAndWait() reports the message's own). Thread-safe methods;
// the fields may be read directly once the loop's thread was joined.
class RefusingProducer : public Producer {
 public:
  std::function<bool(const OutgoingMessage&)> refuse = [](const OutgoingMessage&) { return false; };
  bool at_produce = true;

  Status Produce(const OutgoingMessage& m) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++produce_calls;
    if (at_produce && refuse(m)) return Refused(m);
    pending.push_back(m);
    return Status::Ok();
  }
  Status Flush(std::chrono::milliseconds) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++flushes;
    int failed = 0;
    for (auto& m : pending) {
      if (refuse(m)) {
        ++failed;
      } else {
        sent.push_back(std::move(m));
      }
    }
    pending.clear();
    if (failed > 0) return Status::InvalidArgument("permanent: MSG_SIZE_TOO_LARGE");
    return Status::Ok();
  }
  Status ProduceAndWait(const OutgoingMessage& m, std::chrono::milliseconds) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++waited;
    if (refuse(m)) return Refused(m);
    sent.push_back(m);
    return Status::Ok();
  }
  std::vector<OutgoingMessage> SentTo(const std::string& topic) const {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<OutgoingMessage> out;
    for (const auto& m : sent) {
      if (m.topic == topic) out.push_back(m);
    }
    return out;
  }
  static Status Refused(const OutgoingMessage& m) {
    return Status::InvalidArgument("permanent: produce to " + m.topic + ": MSG_SIZE_TOO_LARGE");
  }

  int ProduceCalls() const {
    std::lock_guard<std::mutex> lock(mu_);
    return produce_calls;
  }

  std::vector<OutgoingMessage> pending;
  std::vector<OutgoingMessage> sent;
  int produce_calls = 0;
  int flushes = 0;
  int waited = 0;

 private:
  mutable std::mutex mu_;
};

ConsumedMessage Msg(std::string payload, int32_t partition = 0) {
  return testing::InputRecord(std::move(payload), partition);
}

class ConsumerLoopProduceFailureTest : public ::testing::Test {
 protected:
  // Each input "x" has one output "x!" on topic "out".
  std::unique_ptr<ConsumerLoop> MakeLoop() {
    auto c = std::make_unique<FakeConsumer>();
    consumer_ = c.get();
    ConsumerLoopOptions options;
    options.name = "test:in";
    options.stage = leadflow::common::v1::SCORING;
    return std::make_unique<ConsumerLoop>(
        std::move(c), producer_,
        MessageHandler([](const ConsumedMessage& m, std::vector<OutgoingMessage>& out) {
          if (m.payload == "poison") return Status::InvalidArgument("bad");
          out.push_back({"out", "", m.payload + "!", {}});
          return Status::Ok();
        }),
        &metrics_, clock_, options);
  }
  // Runs until `done` or ~4 s.
  void RunUntil(ConsumerLoop& loop, const std::function<bool()>& done) {
    std::atomic<bool> stop{false};
    std::thread t([&] { loop.Run(stop); });
    for (int i = 0; i < 400 && !done(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    stop = true;
    t.join();
  }
  std::vector<std::string> Sent(const std::string& topic) const {
    std::vector<std::string> out;
    for (const auto& m : producer_.SentTo(topic)) out.push_back(m.payload);
    return out;
  }
  leadflow::common::v1::LeadRejected OnlyDeadLetter() const {
    leadflow::common::v1::LeadRejected r;
    auto dl = producer_.SentTo(topics::kLeadsRejected);
    EXPECT_EQ(dl.size(), 1u);
    if (!dl.empty()) {
      EXPECT_TRUE(r.ParseFromString(dl.front().payload));
    }
    return r;
  }
  bool MetricsMention(const std::string& text) const {
    return registry_.Serialize().find(text) != std::string::npos;
  }

  RefusingProducer producer_;
  FakeConsumer* consumer_ = nullptr;
  metrics::Registry registry_;
  metrics::ServiceMetrics metrics_{registry_, "test"};
  FakeClock clock_{1000};
};

TEST_F(ConsumerLoopProduceFailureTest, AnOutputRefusedAtProduceDeadLettersItsInputAndMovesOn) {
  producer_.refuse = [](const OutgoingMessage& m) { return m.payload == "big!"; };
  auto loop = MakeLoop();
  consumer_->Add(Msg("a"));
  consumer_->Add(Msg("big"));
  consumer_->Add(Msg("c"));
  RunUntil(*loop, [&] { return consumer_->Committed("in", 0) == 3; });
  EXPECT_EQ((consumer_->committed[{"in", 0}]), 3);
  EXPECT_EQ(Sent("out"), (std::vector<std::string>{"a!", "c!"}));
  const auto r = OnlyDeadLetter();
  EXPECT_EQ(r.original(), "big");
  EXPECT_EQ(r.source_offset(), 1);
  EXPECT_EQ(r.stage(), leadflow::common::v1::SCORING);
  EXPECT_EQ(r.reason(), leadflow::common::v1::INTERNAL_ERROR);
  EXPECT_NE(r.detail().find("cannot be produced"), std::string::npos) << r.detail();
  EXPECT_NE(r.detail().find("MSG_SIZE_TOO_LARGE"), std::string::npos) << r.detail();
  EXPECT_TRUE(MetricsMention("reason=\"kafka_produce_permanent\"")) << registry_.Serialize();
  EXPECT_TRUE(loop->healthy()) << "one poison output does not make the loop unready";
}

TEST_F(ConsumerLoopProduceFailureTest, ADeliveryRefusedAtFlushIsFoundOneMessageAtATime) {
  producer_.at_produce = false;
  producer_.refuse = [](const OutgoingMessage& m) { return m.payload == "big!"; };
  auto loop = MakeLoop();
  consumer_->Add(Msg("a"));
  consumer_->Add(Msg("big"));
  consumer_->Add(Msg("c", 1));
  RunUntil(*loop, [&] { return consumer_->Committed("in", 0) == 2; });
  EXPECT_EQ((consumer_->committed[{"in", 0}]), 2);
  EXPECT_EQ((consumer_->committed[{"in", 1}]), 1);
  // a! and c! went out with the batch, and again when it was produced one
  // message at a time (identical redeliveries); big's dead letter once.
  EXPECT_EQ(Sent("out"), (std::vector<std::string>{"a!", "c!", "a!", "c!"}));
  EXPECT_EQ(OnlyDeadLetter().original(), "big");
  EXPECT_EQ(producer_.waited, 4) << "a!, big!, its dead letter, c!";
}

TEST_F(ConsumerLoopProduceFailureTest, ADeadLetterThatCannotBeProducedIsRetriedLoudlyNeverSkipped) {
  bool refuse_dead_letters = true;
  producer_.refuse = [&](const OutgoingMessage& m) {
    return refuse_dead_letters && m.topic == topics::kLeadsRejected;
  };
  auto loop = MakeLoop();
  consumer_->Add(Msg("poison"));
  consumer_->Add(Msg("b"));
  std::atomic<bool> stop{false};
  std::thread t([&] { loop->Run(stop); });
  for (int i = 0; i < 200 && producer_.ProduceCalls() < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GE(producer_.ProduceCalls(), 2) << "retried";
  EXPECT_FALSE(loop->healthy());
  EXPECT_TRUE(producer_.SentTo("out").empty()) << "nothing behind it in its partition";
  EXPECT_TRUE(MetricsMention("reason=\"dead_letter_failed\"")) << registry_.Serialize();
  stop = true;
  t.join();
  EXPECT_EQ((consumer_->committed[{"in", 0}]), 0);

  refuse_dead_letters = false;  // e.g. the ACL on leads.rejected was fixed
  RunUntil(*loop, [&] { return consumer_->Committed("in", 0) == 2; });
  EXPECT_EQ((consumer_->committed[{"in", 0}]), 2);
  EXPECT_EQ(OnlyDeadLetter().original(), "poison");
  EXPECT_EQ(Sent("out"), (std::vector<std::string>{"b!"}));
}

TEST_F(ConsumerLoopProduceFailureTest, RecurringPermanentFailuresMakeTheLoopUnreadyForAWhile) {
  producer_.refuse = [](const OutgoingMessage& m) { return m.topic == "out"; };  // e.g. no ACL
  auto loop = MakeLoop();
  for (const char* p : {"a", "b", "c"}) consumer_->Add(Msg(p));
  RunUntil(*loop, [&] { return consumer_->Committed("in", 0) == 3; });
  EXPECT_EQ((consumer_->committed[{"in", 0}]), 3);
  EXPECT_EQ(producer_.SentTo(topics::kLeadsRejected).size(), 3u);
  EXPECT_FALSE(loop->healthy()) << "3 permanent failures within a minute";
  clock_.Advance(std::chrono::milliseconds(60001));
  EXPECT_TRUE(loop->healthy());
}

TEST_F(ConsumerLoopProduceFailureTest, AbortedIsRetriedNotDeadLettered) {
  int calls = 0;
  auto c = std::make_unique<FakeConsumer>();
  consumer_ = c.get();
  ConsumerLoop loop(std::move(c), producer_,
                    MessageHandler([&](const ConsumedMessage& m, std::vector<OutgoingMessage>& out) {
                      if (calls++ == 0) return Status::Aborted("view reset");
                      out.push_back({"out", "", m.payload + "!", {}});
                      return Status::Ok();
                    }),
                    &metrics_, clock_, ConsumerLoopOptions{});
  consumer_->Add(Msg("a"));
  RunUntil(loop, [&] { return consumer_->Committed("in", 0) == 1; });
  EXPECT_EQ(Sent("out"), (std::vector<std::string>{"a!"}));
  EXPECT_TRUE(producer_.SentTo(topics::kLeadsRejected).empty());
}

}  // namespace
}  // namespace leadflow::kafka
