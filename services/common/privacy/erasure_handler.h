// The privacy.erasure consumer every service runs (group
// leadflow-<service>-privacy): validate the record (ParseErasure; a malformed
// one is kInvalidArgument and dead-lettered by the consumer loop), then hand
// it to the service's ContactEraser.
//
// Retries: a kUnavailable from the eraser rewinds the partition, so the whole
// erasure runs again; erasers must therefore be idempotent (deleting what is
// already gone is fine). Logs the erasure id only, never the contact.
// Thread-safe as far as the eraser is.
#pragma once

#include <string>

#include "common/kafka/consumer_loop.h"
#include "leadflow/privacy/v1/privacy.pb.h"

namespace leadflow::privacy {

class ContactEraser {
 public:
  virtual ~ContactEraser() = default;
  // Deletes or tombstones everything this service holds about the contact.
  // Must be idempotent. kUnavailable when the store cannot be reached.
  virtual Status Erase(const leadflow::privacy::v1::ContactErasure& erasure) = 0;
};

// `eraser` must outlive the handler.
kafka::MessageHandler ErasureHandler(ContactEraser& eraser);

}  // namespace leadflow::privacy
