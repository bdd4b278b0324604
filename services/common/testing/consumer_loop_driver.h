// Drives a kafka::ConsumerLoop in unit tests over the fakes of fake_kafka.h:
// an input record, and running the loop on a thread until its consumer is
// drained.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <utility>

#include "common/kafka/consumer_loop.h"
#include "common/testing/fake_kafka.h"

namespace leadflow::testing {

// A record of topic "in" with `payload` on `partition` (the fake consumer
// gives it its offset).
inline kafka::ConsumedMessage InputRecord(std::string payload, int32_t partition = 0) {
  kafka::ConsumedMessage m;
  m.topic = "in";
  m.partition = partition;
  m.payload = std::move(payload);
  return m;
}

// Runs `loop` until `consumer` has handed out every record and was polled
// again (or 4 s pass), then stops it: Run() returns after finishing and
// committing the batches in progress.
inline void RunLoopUntilDrained(kafka::ConsumerLoop& loop, const FakeConsumer& consumer) {
  std::atomic<bool> stop{false};
  std::thread t([&] { loop.Run(stop); });
  for (int i = 0; i < 400 && !consumer.Drained(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  stop = true;
  t.join();
}

}  // namespace leadflow::testing
