// The id every webhook of one event carries (X-Leadflow-Event-Id), so a
// receiver dedupes retries and redeliveries (docs/notifier.md, "Idempotency").
#pragma once

#include <cstdint>
#include <string>

namespace leadflow::notifier {

// "evt_" + 32 hex digits of SHA-256 over the topic and either the event's own
// id (Notification.natural_id, when it has one) or its partition and offset.
// Stable: a retry, and a redelivery after a crash or restart, give the same
// id. Opaque: no id of the lead can be read from it.
std::string EventId(const std::string& topic, int32_t partition, int64_t offset,
                    const std::string& natural_id);

}  // namespace leadflow::notifier
