#include "routing/app/outbox.h"

#include "common/redis/reply.h"
#include "routing/app/routing_keys.h"

namespace leadflow::routing {

StatusOr<std::vector<std::string>> Outbox::Due(int64_t before_ms, int limit) {
  auto r = redis_.Run({"ZRANGEBYSCORE", OutboxKey(), "-inf", std::to_string(before_ms), "LIMIT",
                       "0", std::to_string(limit)});
  if (!r.ok()) return r.status();
  if (Status s = redis::ExpectArray(*r, "ZRANGEBYSCORE outbox"); !s.ok()) return s;
  std::vector<std::string> ids;
  for (const auto& e : r->elements) ids.push_back(e.str);
  return ids;
}

Status Outbox::Emitted(const std::string& lead_id) {
  auto r = redis_.Run({"ZREM", OutboxKey(), lead_id});
  if (!r.ok()) return r.status();
  return redis::ExpectOk(*r, "ZREM outbox");
}

}  // namespace leadflow::routing
