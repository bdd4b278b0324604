#include "common/privacy/erasure_handler.h"

#include "common/log/log.h"
#include "common/privacy/erasure.h"

namespace leadflow::privacy {

kafka::MessageHandler ErasureHandler(ContactEraser& eraser) {
  return [&eraser](const kafka::ConsumedMessage& message, std::vector<kafka::OutgoingMessage>&) {
    auto erasure = ParseErasure(message);
    if (!erasure.ok()) return erasure.status();
    Status s = eraser.Erase(*erasure);
    if (s.ok()) log::Info("contact erased", {{"erasure_id", erasure->erasure_id()}});
    return s;
  };
}

}  // namespace leadflow::privacy
