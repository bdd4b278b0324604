// Works around lost wake-ups of librdkafka's mock cluster thread.
//
// Control calls such as rd_kafka_mock_topic_create() or
// rd_kafka_mock_broker_set_down() enqueue an op for the mock cluster thread
// and block until it is served. In librdkafka 2.0.2 the queue's wake-up is
// occasionally lost, and the op then waits for the thread's 1 s poll timeout
// (observed: 13 topic creations taking 0-5 s). The mock thread serves its op
// queue on every loop iteration, so any socket event wakes it up: while a
// control call is pending, this class opens and closes a TCP connection to
// the brokers' listeners every few milliseconds.

#ifndef LEADFLOW_TOOLS_DEVKAFKA_MOCK_THREAD_WAKER_H_
#define LEADFLOW_TOOLS_DEVKAFKA_MOCK_THREAD_WAKER_H_

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace leadflow::devkafka {

/// Pokes the mock brokers' listening ports while control calls are pending.
/// Thread-safe.
class MockThreadWaker {
 public:
  /// `ports` are the brokers' 127.0.0.1 listener ports. A poke happens
  /// whenever a call has been pending for `interval`.
  explicit MockThreadWaker(std::vector<int> ports,
                           std::chrono::milliseconds interval = std::chrono::milliseconds(5));
  /// Stops the background thread.
  ~MockThreadWaker();

  MockThreadWaker(const MockThreadWaker&) = delete;
  MockThreadWaker& operator=(const MockThreadWaker&) = delete;

  /// Runs `call` (a blocking mock API call) with wake-ups enabled and returns
  /// its result.
  template <typename Call>
  auto Run(Call call) {
    Pending pending(this);
    return call();
  }

 private:
  // Marks one call as pending for its lifetime.
  class Pending {
   public:
    explicit Pending(MockThreadWaker* waker) : waker_(waker) { waker_->Begin(); }
    ~Pending() { waker_->End(); }
    Pending(const Pending&) = delete;
    Pending& operator=(const Pending&) = delete;

   private:
    MockThreadWaker* waker_;
  };

  void Begin();
  void End();
  void Loop();
  void Poke() const;

  const std::vector<int> ports_;
  const std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::condition_variable changed_;
  int pending_ = 0;        // Guarded by mutex_.
  bool stopping_ = false;  // Guarded by mutex_.
  std::thread thread_;
};

}  // namespace leadflow::devkafka

#endif  // LEADFLOW_TOOLS_DEVKAFKA_MOCK_THREAD_WAKER_H_
