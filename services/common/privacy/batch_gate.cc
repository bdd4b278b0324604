#include "common/privacy/batch_gate.h"

#include <stdexcept>

namespace leadflow::privacy {

kafka::BatchHandler GatedBatchHandler(BatchGate gate, kafka::BatchHandler inner) {
  return [gate = std::move(gate), inner = std::move(inner)](
             const std::vector<kafka::ConsumedMessage>& batch) {
    std::vector<GateVerdict> verdicts = gate(batch);
    if (verdicts.size() != batch.size()) throw std::logic_error("gate: one verdict per message");
    std::vector<kafka::ConsumedMessage> rest;
    std::vector<size_t> where;
    std::vector<kafka::HandledMessage> results(batch.size());
    for (size_t i = 0; i < batch.size(); ++i) {
      switch (verdicts[i].kind) {
        case GateVerdict::Kind::kDone:
          results[i].status = verdicts[i].status;
          break;
        case GateVerdict::Kind::kReplace:
          rest.push_back(batch[i]);
          rest.back().payload = std::move(verdicts[i].payload);
          where.push_back(i);
          break;
        case GateVerdict::Kind::kPass:
          rest.push_back(batch[i]);
          where.push_back(i);
          break;
      }
    }
    if (rest.empty()) return results;
    std::vector<kafka::HandledMessage> handled = inner(rest);
    if (handled.size() != rest.size()) throw std::logic_error("inner: one result per message");
    for (size_t j = 0; j < rest.size(); ++j) results[where[j]] = std::move(handled[j]);
    return results;
  };
}

kafka::BatchHandler PerMessage(kafka::MessageHandler handler) {
  return [handler = std::move(handler)](const std::vector<kafka::ConsumedMessage>& batch) {
    std::vector<kafka::HandledMessage> results(batch.size());
    for (size_t i = 0; i < batch.size(); ++i) {
      results[i].status = handler(batch[i], results[i].out);
    }
    return results;
  };
}

}  // namespace leadflow::privacy
