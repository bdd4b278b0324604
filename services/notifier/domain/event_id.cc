#include "notifier/domain/event_id.h"

#include "common/auth/sha256.h"

namespace leadflow::notifier {

std::string EventId(const std::string& topic, int32_t partition, int64_t offset,
                    const std::string& natural_id) {
  const std::string source =
      natural_id.empty() ? topic + "\n@" + std::to_string(partition) + ":" + std::to_string(offset)
                         : topic + "\n#" + natural_id;
  return "evt_" + auth::Sha256Hex(source).substr(0, 32);
}

}  // namespace leadflow::notifier
