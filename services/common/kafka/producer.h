// Producing to Kafka.
//
// KafkaProducer is idempotent (enable.idempotence=true, acks=all): librdkafka
// retries internally without duplicating or reordering. Produce() only
// enqueues; Flush() waits for every enqueued message and reports whether any
// was lost, which is what the consumer loop checks before committing offsets.
// Thread-safe: many threads may Produce() and Flush() at once; a failure is
// reported to the Flush() of every thread that produced before it, not only
// to the first thread that flushes.
//
// Failures are classified (rdkafka_config.h, ClassifyProduceError):
//  - kInvalidArgument, message starting "permanent:": retrying the same
//    message can never succeed (larger than message.max.bytes, unknown topic,
//    not authorized, invalid record). The consumer loop dead-letters the input
//    that produced it instead of retrying.
//  - kUnavailable: anything else (broker down, timeouts, a fatal client error,
//    which stops the process through lifecycle::Shutdown::Fatal).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "common/kafka/message.h"
#include "common/util/status.h"

namespace leadflow::metrics {
class ServiceMetrics;
}

namespace leadflow::kafka {

class Producer {
 public:
  virtual ~Producer() = default;
  // Enqueues a message. Fails when the local queue is full for longer than
  // the producer's enqueue timeout (kUnavailable), or at once when the client
  // refuses the message for good, e.g. it is larger than message.max.bytes or
  // its topic is known not to exist (kInvalidArgument).
  virtual Status Produce(const OutgoingMessage& message) = 0;
  // Waits until every enqueued message is acknowledged by the brokers. Returns
  // an error if any message failed for good since the calling thread's
  // previous Flush() (or, before its first one, since its first Produce(); a
  // thread that never produced sees the failures during this call). It may
  // report another thread's failure too: the consumer loop then only rewinds
  // a batch that was in fact delivered. kInvalidArgument when at least one of
  // those failures is permanent, kUnavailable for transient ones only.
  virtual Status Flush(std::chrono::milliseconds timeout) = 0;
  // Enqueues one message and waits for its own acknowledgement: for
  // synchronous APIs that must not answer before the event is durable, and
  // for the consumer loop to find which message of a batch fails for good.
  // Reports only this message's own failure, classified as above.
  virtual Status ProduceAndWait(const OutgoingMessage& message,
                                std::chrono::milliseconds timeout) = 0;
};

// True for the Status of a produce that can never succeed as it is.
inline bool IsPermanentProduceFailure(const Status& s) {
  return s.code() == StatusCode::kInvalidArgument;
}

struct ProducerOptions {
  std::string brokers;
  std::map<std::string, std::string> extra_properties;  // security pass-through and tuning
  std::string client_id = "leadflow";
  int linger_ms = 2;
};

StatusOr<std::unique_ptr<Producer>> MakeKafkaProducer(const ProducerOptions& options,
                                                      metrics::ServiceMetrics* metrics);

}  // namespace leadflow::kafka
