#include "common/kafka/consumer_loop.h"

#include <gtest/gtest.h>

#include <thread>

#include "common/kafka/topics.h"
#include "common/metrics/service_metrics.h"
#include "common/testing/consumer_loop_driver.h"
#include "common/testing/fake_kafka.h"

namespace leadflow::kafka {
namespace {

using leadflow::testing::FakeConsumer;
using leadflow::testing::FakeProducer;

ConsumedMessage Msg(std::string payload, int32_t partition = 0) {
  return testing::InputRecord(std::move(payload), partition);
}

void RunUntilDrained(ConsumerLoop& loop, FakeConsumer* consumer) {
  testing::RunLoopUntilDrained(loop, *consumer);
}

class ConsumerLoopTest : public ::testing::Test {
 protected:
  std::unique_ptr<ConsumerLoop> MakeLoop(MessageHandler h) {
    auto c = std::make_unique<FakeConsumer>();
    consumer_ = c.get();
    return std::make_unique<ConsumerLoop>(std::move(c), producer_, std::move(h), &metrics_, clock_,
                                          ConsumerLoopOptions{});
  }
  std::unique_ptr<ConsumerLoop> MakeBatchLoop(BatchHandler h) {
    auto c = std::make_unique<FakeConsumer>();
    consumer_ = c.get();
    return std::make_unique<ConsumerLoop>(std::move(c), producer_, std::move(h), &metrics_, clock_,
                                          ConsumerLoopOptions{});
  }
  FakeProducer producer_;
  FakeConsumer* consumer_ = nullptr;
  metrics::Registry registry_;
  metrics::ServiceMetrics metrics_{registry_, "test"};
  FakeClock clock_{1000};
};

TEST_F(ConsumerLoopTest, ProducesOutputsThenCommitsNextOffset) {
  auto loop = MakeLoop([](const ConsumedMessage& m, std::vector<OutgoingMessage>& out) {
    out.push_back({"out", "k", m.payload + "!", {}});
    return Status::Ok();
  });
  consumer_->Add(Msg("a"));
  consumer_->Add(Msg("b"));
  RunUntilDrained(*loop, consumer_);
  ASSERT_EQ(producer_.sent.size(), 2u);
  EXPECT_EQ(producer_.sent[1].payload, "b!");
  EXPECT_EQ((consumer_->committed[{"in", 0}]), 2);
  EXPECT_TRUE(consumer_->closed);
}

TEST_F(ConsumerLoopTest, InvalidInputIsDeadLetteredWithOriginalBytesAndCommitted) {
  auto loop = MakeLoop([](const ConsumedMessage& m, std::vector<OutgoingMessage>& out) {
    if (m.payload == "poison") {
      out.push_back({"out", "", "partial", {}});  // discarded: only the dead letter goes out
      return Status::InvalidArgument("bad field x", leadflow::common::v1::INVALID_FIELD);
    }
    out.push_back({"out", "", m.payload, {}});
    return Status::Ok();
  });
  consumer_->Add(Msg("poison"));
  consumer_->Add(Msg("fine"));
  RunUntilDrained(*loop, consumer_);
  auto rejected = producer_.SentTo(topics::kLeadsRejected);
  ASSERT_EQ(rejected.size(), 1u);
  leadflow::common::v1::LeadRejected r;
  ASSERT_TRUE(r.ParseFromString(rejected[0].payload));
  EXPECT_EQ(r.original(), "poison");
  EXPECT_EQ(r.reason(), leadflow::common::v1::INVALID_FIELD);
  EXPECT_EQ(r.detail(), "bad field x");
  EXPECT_EQ(producer_.SentTo("out").size(), 1u);
  EXPECT_EQ((consumer_->committed[{"in", 0}]), 2);
}

TEST_F(ConsumerLoopTest, ExceptionsNeverEscapeAndBecomeDeadLetters) {
  auto loop = MakeLoop([](const ConsumedMessage&, std::vector<OutgoingMessage>&) -> Status {
    throw std::runtime_error("boom");
  });
  consumer_->Add(Msg("x"));
  RunUntilDrained(*loop, consumer_);
  auto rejected = producer_.SentTo(topics::kLeadsRejected);
  ASSERT_EQ(rejected.size(), 1u);
  leadflow::common::v1::LeadRejected r;
  ASSERT_TRUE(r.ParseFromString(rejected[0].payload));
  EXPECT_EQ(r.reason(), leadflow::common::v1::INTERNAL_ERROR);
}

TEST_F(ConsumerLoopTest, TransientFailureRetriesTheSameMessageInOrder) {
  int calls = 0;
  std::vector<std::string> handled;
  auto loop = MakeLoop([&](const ConsumedMessage& m, std::vector<OutgoingMessage>&) {
    if (m.payload == "a" && calls++ == 0) return Status::Unavailable("redis down");
    handled.push_back(m.payload);
    return Status::Ok();
  });
  consumer_->Add(Msg("a"));
  consumer_->Add(Msg("b"));
  RunUntilDrained(*loop, consumer_);
  EXPECT_EQ(handled, (std::vector<std::string>{"a", "b"}));
  EXPECT_GE(consumer_->seeks, 1);
  EXPECT_EQ((consumer_->committed[{"in", 0}]), 2);
}

TEST_F(ConsumerLoopTest, FailedFlushRewindsAndDoesNotCommit) {
  int calls = 0;
  auto loop = MakeLoop([&](const ConsumedMessage& m, std::vector<OutgoingMessage>& out) {
    out.push_back({"out", "", m.payload, {}});
    producer_.fail_flush = (calls++ == 0);  // the first batch's flush fails
    return Status::Ok();
  });
  consumer_->Add(Msg("a"));
  std::atomic<bool> stop{false};
  std::thread t([&] { loop->Run(stop); });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  stop = true;
  t.join();
  EXPECT_EQ(calls, 2);
  EXPECT_GE(consumer_->seeks, 1);
  ASSERT_EQ(producer_.SentTo("out").size(), 1u);  // re-handled after the rewind
  EXPECT_EQ((consumer_->committed[{"in", 0}]), 1);
}

TEST_F(ConsumerLoopTest, ABatchStuckLongerThanStallAfterIsReportedUntilItFinishes) {
  std::atomic<bool> release{false};
  std::atomic<bool> entered{false};
  auto loop = MakeLoop([&](const ConsumedMessage&, std::vector<OutgoingMessage>&) {
    entered = true;
    while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return Status::Ok();
  });
  consumer_->Add(Msg("slow"));
  EXPECT_FALSE(loop->stalled());
  std::atomic<bool> stop{false};
  std::thread t([&] { loop->Run(stop); });
  while (!entered) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  clock_.Advance(std::chrono::milliseconds(2000));
  EXPECT_FALSE(loop->stalled()) << "within stall_after (3 s)";
  clock_.Advance(std::chrono::milliseconds(1500));
  EXPECT_TRUE(loop->stalled());
  release = true;
  for (int i = 0; i < 400 && loop->stalled(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_FALSE(loop->stalled());
  EXPECT_TRUE(loop->healthy());
  stop = true;
  t.join();
  EXPECT_EQ((consumer_->committed[{"in", 0}]), 1);
}

TEST_F(ConsumerLoopTest, BatchHandlerSeesTheWholeBatchAndItsOutputsGoOutInOrder) {
  std::vector<size_t> batch_sizes;
  auto loop = MakeBatchLoop([&](const std::vector<ConsumedMessage>& batch) {
    batch_sizes.push_back(batch.size());
    std::vector<HandledMessage> results(batch.size());
    for (size_t i = 0; i < batch.size(); ++i) {
      results[i].out.push_back({"out", "", batch[i].payload + "!", {}});
    }
    return results;
  });
  consumer_->Add(Msg("a"));
  consumer_->Add(Msg("b", 1));
  consumer_->Add(Msg("c"));
  RunUntilDrained(*loop, consumer_);
  ASSERT_EQ(batch_sizes.size(), 1u) << "one call for the whole batch";
  EXPECT_EQ(batch_sizes[0], 3u);
  auto sent = producer_.SentTo("out");
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_EQ(sent[0].payload, "a!");
  EXPECT_EQ(sent[1].payload, "b!");
  EXPECT_EQ(sent[2].payload, "c!");
  EXPECT_EQ((consumer_->committed[{"in", 0}]), 2);
  EXPECT_EQ((consumer_->committed[{"in", 1}]), 1);
}

TEST_F(ConsumerLoopTest, BatchTransientFailureRewindsOnlyItsPartitionAndDropsLaterResults) {
  int calls = 0;
  auto loop = MakeBatchLoop([&](const std::vector<ConsumedMessage>& batch) {
    const bool first = calls++ == 0;
    std::vector<HandledMessage> results(batch.size());
    for (size_t i = 0; i < batch.size(); ++i) {
      if (first && batch[i].payload == "a2") {
        results[i].status = Status::Unavailable("redis down");
      }
      results[i].out.push_back({"out", "", batch[i].payload, {}});
    }
    return results;
  });
  consumer_->Add(Msg("a1", 0));
  consumer_->Add(Msg("a2", 0));
  consumer_->Add(Msg("a3", 0));
  consumer_->Add(Msg("b1", 1));
  RunUntilDrained(*loop, consumer_);
  std::vector<std::string> sent;
  for (const auto& o : producer_.SentTo("out")) sent.push_back(o.payload);
  // a3's first result came after a2's failure in the same partition: dropped
  // and produced once, after the rewind, behind a2.
  EXPECT_EQ(sent, (std::vector<std::string>{"a1", "b1", "a2", "a3"}));
  EXPECT_GE(consumer_->seeks, 1);
  EXPECT_EQ((consumer_->committed[{"in", 0}]), 3);
  EXPECT_EQ((consumer_->committed[{"in", 1}]), 1);
}

TEST_F(ConsumerLoopTest, AThrowingBatchIsRetriedOneByOneSoOnlyThePoisonIsDeadLettered) {
  auto loop = MakeBatchLoop([](const std::vector<ConsumedMessage>& batch) {
    std::vector<HandledMessage> results(batch.size());
    for (size_t i = 0; i < batch.size(); ++i) {
      if (batch[i].payload == "poison") throw std::runtime_error("boom");
      results[i].out.push_back({"out", "", batch[i].payload, {}});
    }
    return results;
  });
  consumer_->Add(Msg("fine"));
  consumer_->Add(Msg("poison"));
  consumer_->Add(Msg("also fine"));
  RunUntilDrained(*loop, consumer_);
  EXPECT_EQ(producer_.SentTo("out").size(), 2u);
  auto rejected = producer_.SentTo(topics::kLeadsRejected);
  ASSERT_EQ(rejected.size(), 1u);
  leadflow::common::v1::LeadRejected r;
  ASSERT_TRUE(r.ParseFromString(rejected[0].payload));
  EXPECT_EQ(r.original(), "poison");
  EXPECT_EQ(r.reason(), leadflow::common::v1::INTERNAL_ERROR);
  EXPECT_EQ((consumer_->committed[{"in", 0}]), 3);
}

TEST_F(ConsumerLoopTest, ABatchHandlerReturningTheWrongCountIsRetriedOneByOne) {
  auto loop = MakeBatchLoop([](const std::vector<ConsumedMessage>& batch) {
    std::vector<HandledMessage> results(1);  // wrong for a batch of more than one
    results[0].out.push_back({"out", "", batch[0].payload, {}});
    return results;
  });
  consumer_->Add(Msg("a"));
  consumer_->Add(Msg("b"));
  RunUntilDrained(*loop, consumer_);
  EXPECT_EQ(producer_.SentTo("out").size(), 2u);
  EXPECT_TRUE(producer_.SentTo(topics::kLeadsRejected).empty());
  EXPECT_EQ((consumer_->committed[{"in", 0}]), 2);
}

}  // namespace
}  // namespace leadflow::kafka
