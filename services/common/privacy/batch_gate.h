// A consumer-batch decorator: look at every message of a batch first (e.g.
// one pipelined Redis read of consent state), then let each message pass
// unchanged, pass with a replaced payload, or be answered here; the inner
// BatchHandler gets the rest, in order. Used by scoring's and routing's
// consent gates (docs/privacy.md).
//
// The gate must return one verdict per message. Results come back in batch
// order, as the consumer loop expects. Thread-safe as far as gate and inner are.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/kafka/consumer_loop.h"

namespace leadflow::privacy {

struct GateVerdict {
  enum class Kind { kPass, kReplace, kDone };
  Kind kind = Kind::kPass;
  std::string payload;  // kReplace: the payload the inner handler gets instead
  Status status;        // kDone: the message's result (nothing is produced)

  static GateVerdict Pass() { return {}; }
  static GateVerdict Replace(std::string payload) {
    return {Kind::kReplace, std::move(payload), Status::Ok()};
  }
  static GateVerdict Done(Status status) { return {Kind::kDone, "", std::move(status)}; }
};

using BatchGate =
    std::function<std::vector<GateVerdict>(const std::vector<kafka::ConsumedMessage>& batch)>;

kafka::BatchHandler GatedBatchHandler(BatchGate gate, kafka::BatchHandler inner);

// A BatchHandler that calls `handler` once per message, in order.
kafka::BatchHandler PerMessage(kafka::MessageHandler handler);

}  // namespace leadflow::privacy
