// Building leads.rejected records (LeadRejected) from a consumed message:
// the reason, the field errors and the original bytes, so nothing is lost.
//
// Every dead letter in leadflow is built by MakeRejection (the consumer loop,
// intake's parser and field checks, routing, nurture, the views), so every
// one is bounded the same way: `original` keeps at most
// kMaxDeadLetterOriginalBytes of the consumed record, and original_size,
// original_sha256 and original_truncated describe the whole record, so the
// full bytes can still be matched on the source topic (source_topic,
// source_partition, source_offset) while its retention lasts.
#pragma once

#include <cstddef>
#include <string>

#include "common/kafka/message.h"
#include "leadflow/common/v1/dead_letter.pb.h"

namespace leadflow::kafka {

// 64 KiB: intake's max_payload_bytes (config/intake.json), so every record a
// service could accept is kept whole, and a dead letter stays far below
// Kafka's default message.max.bytes (1,048,588) and librdkafka's own
// (1,000,000) whatever the size of the poison record. docs/reliability.md.
inline constexpr size_t kMaxDeadLetterOriginalBytes = 64 * 1024;

// A LeadRejected for `source`, stamped with its topic/partition/offset, its
// original bytes cut to kMaxDeadLetterOriginalBytes, and the size and SHA-256
// of the whole original. `detail` must not contain PII.
leadflow::common::v1::LeadRejected MakeRejection(const ConsumedMessage& source,
                                                 leadflow::common::v1::Stage stage,
                                                 leadflow::common::v1::ReasonCode reason,
                                                 const std::string& detail, int64_t now_ms);

// The outgoing leads.rejected message carrying `rejection` (no key).
OutgoingMessage ToDeadLetterMessage(const leadflow::common::v1::LeadRejected& rejection);

}  // namespace leadflow::kafka
