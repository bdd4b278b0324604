// The scheduler's outbox: lf:{routing}:outbox, a zset lead_id -> ms of the
// decisions the scheduler recorded (lead_claims.h) but Kafka has not yet
// acknowledged; a crash between claim and publish loses nothing.
//
// Threading: as thread-safe as redis::Client.
#pragma once

#include <string>
#include <vector>

#include "common/redis/client.h"

namespace leadflow::routing {

class Outbox {
 public:
  explicit Outbox(redis::Client& redis) : redis_(redis) {}

  // Entries recorded at or before `before_ms`, oldest first.
  StatusOr<std::vector<std::string>> Due(int64_t before_ms, int limit);
  // The lead's decision was published: its entry goes.
  Status Emitted(const std::string& lead_id);

 private:
  redis::Client& redis_;
};

}  // namespace leadflow::routing
