#include "routing/app/team_queue.h"

#include "common/redis/reply.h"
#include "routing/app/routing_keys.h"
#include "routing/domain/queue_order.h"

namespace leadflow::routing {

StatusOr<std::vector<QueuedLead>> TeamQueue::Leads(const std::string& team, int limit) {
  // Every score is 0, so ZRANGE returns the entries in byte order: the drain
  // order (queue_order.h).
  auto r = redis_.Run({"ZRANGE", TeamQueueKey(team), "0", std::to_string(limit - 1)});
  if (!r.ok()) return r.status();
  if (Status s = redis::ExpectArray(*r, "ZRANGE queue"); !s.ok()) return s;
  std::vector<QueuedLead> out;
  out.reserve(r->elements.size());
  for (auto& e : r->elements) {
    QueuedLead q;
    q.lead_id = std::string(LeadIdOfQueueEntry(e.str));
    q.entry = std::move(e.str);
    out.push_back(std::move(q));
  }
  return out;
}

StatusOr<int64_t> TeamQueue::Depth(const std::string& team) {
  auto r = redis_.Run({"ZCARD", TeamQueueKey(team)});
  if (!r.ok()) return r.status();
  return redis::ExpectInteger(*r, "ZCARD queue");
}

Status TeamQueue::Remove(const std::string& team, const std::string& entry) {
  auto r = redis_.Run({"ZREM", TeamQueueKey(team), entry});
  if (!r.ok()) return r.status();
  return redis::ExpectOk(*r, "ZREM queue");
}

}  // namespace leadflow::routing
