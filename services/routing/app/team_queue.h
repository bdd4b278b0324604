// The team queues: lf:{routing}:queue:<team>, a zset of queue entries with
// every score 0, so byte order is drain order (rank, then oldest;
// domain/queue_order.h). Claims add and remove entries (lead_claims.h); this
// reads a queue and drops stale entries.
//
// Threading: as thread-safe as redis::Client.
#pragma once

#include <string>
#include <vector>

#include "common/redis/client.h"

namespace leadflow::routing {

// One entry of a team queue.
struct QueuedLead {
  std::string lead_id;
  std::string entry;  // the sorted-set member (domain/queue_order.h)
};

class TeamQueue {
 public:
  explicit TeamQueue(redis::Client& redis) : redis_(redis) {}

  // The team's queue in drain order (highest rank first, then oldest), up to
  // `limit` entries; and its length.
  StatusOr<std::vector<QueuedLead>> Leads(const std::string& team, int limit);
  StatusOr<int64_t> Depth(const std::string& team);
  // Removes one entry (as Leads read it) from a team queue.
  Status Remove(const std::string& team, const std::string& entry);

 private:
  redis::Client& redis_;
};

}  // namespace leadflow::routing
