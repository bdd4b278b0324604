#include "routing/app/sla_ladder_store.h"

#include "common/redis/embedded_script.h"
#include "common/redis/reply.h"
#include "routing/app/routing_keys.h"
#include "sla_ladder_arm.lua.h"
#include "sla_ladder_claim.lua.h"
#include "sla_ladder_escalate.lua.h"
#include "sla_ladder_finish.lua.h"
#include "sla_ladder_sync.lua.h"

namespace leadflow::routing {
namespace {

const std::string kSlaKey = SlaTimersKey();
const std::string kLadderKey = std::string(kRoutingKeyPrefix) + "sla-ladder";
const std::string kNewKey = std::string(kRoutingKeyPrefix) + "sla-ladder-new";
const std::string kEpochKey = std::string(kRoutingKeyPrefix) + "sla-ladder-epoch";

// An error reply as Unavailable, worded as every store words it (reply.h).
Status Check(const StatusOr<redis::Reply>& r, std::string_view what) {
  if (!r.ok()) return r.status();
  return redis::ExpectOk(*r, what);
}

int64_t ToInt(const std::string& s) {
  try {
    return static_cast<int64_t>(std::stod(s));
  } catch (...) {
    return 0;
  }
}

std::vector<std::pair<std::string, int64_t>> Pairs(const redis::Reply& r) {
  std::vector<std::pair<std::string, int64_t>> out;
  for (size_t i = 0; i + 1 < r.elements.size(); i += 2) {
    out.emplace_back(r.elements[i].str, ToInt(r.elements[i + 1].str));
  }
  return out;
}

}  // namespace

std::string SlaLadderStore::NewTimersKey() { return kNewKey; }

StatusOr<std::vector<std::pair<std::string, int64_t>>> SlaLadderStore::Sync(int limit) {
  auto r = redis_.Eval(redis::EmbeddedScript<leadflow::lua::kSlaLadderSync>(),
                       {kSlaKey, kLadderKey, RoutingStateKey(), kNewKey, kEpochKey},
                       {std::to_string(limit)});
  if (Status s = Check(r, "SLA ladder sync"); !s.ok()) return s;
  return Pairs(*r);
}

Status SlaLadderStore::ArmMany(const std::vector<Arming>& arms) {
  if (arms.empty()) return Status::Ok();
  std::vector<std::string> args;
  args.reserve(3 * arms.size());
  for (const auto& a : arms) {
    args.insert(args.end(),
                {a.lead_id, std::to_string(a.timer_due_ms), std::to_string(a.remind_ms)});
  }
  return Check(redis_.Eval(redis::EmbeddedScript<leadflow::lua::kSlaLadderArm>(),
                           {kLadderKey, kSlaKey, RoutingStateKey(), kNewKey}, args),
               "SLA ladder arm");
}

Status SlaLadderStore::Forget(int limit) {
  return Check(redis_.Run({"ZPOPMIN", kNewKey, std::to_string(limit)}), "ZPOPMIN sla-ladder-new");
}

StatusOr<std::vector<std::pair<std::string, int64_t>>> SlaLadderStore::Due(int64_t now_ms,
                                                                           int limit) {
  auto r = redis_.Run({"ZRANGEBYSCORE", kLadderKey, "0", std::to_string(now_ms), "WITHSCORES",
                       "LIMIT", "0", std::to_string(limit)});
  if (Status s = Check(r, "ZRANGEBYSCORE sla-ladder"); !s.ok()) return s;
  return Pairs(*r);
}

StatusOr<std::optional<int64_t>> SlaLadderStore::Claim(const std::string& lead_id, int64_t score,
                                                       int64_t lease_ms) {
  auto r = redis_.Eval(redis::EmbeddedScript<leadflow::lua::kSlaLadderClaim>(),
                       {kLadderKey, kSlaKey, RoutingStateKey()},
                       {lead_id, std::to_string(score), std::to_string(lease_ms)});
  if (Status s = Check(r, "SLA ladder claim"); !s.ok()) return s;
  if (r->elements.empty() || r->elements[0].integer != 1) return std::optional<int64_t>();
  const int64_t due = r->elements.size() > 1 ? ToInt(r->elements[1].str) : 0;
  return std::optional<int64_t>(due);
}

StatusOr<bool> SlaLadderStore::ClaimEscalation(const std::string& lead_id, int64_t deadline_ms,
                                               int64_t grace_end_ms, int64_t lease_ms) {
  auto r = redis_.Eval(redis::EmbeddedScript<leadflow::lua::kSlaLadderEscalate>(),
                       {kSlaKey, kLadderKey, RoutingStateKey()},
                       {lead_id, std::to_string(deadline_ms), std::to_string(grace_end_ms),
                        std::to_string(lease_ms)});
  if (Status s = Check(r, "SLA ladder escalation"); !s.ok()) return s;
  return r->integer == 1;
}

StatusOr<bool> SlaLadderStore::Finish(const std::string& lead_id, int64_t lease_ms) {
  auto r = redis_.Eval(redis::EmbeddedScript<leadflow::lua::kSlaLadderFinish>(),
                       {kLadderKey, RoutingStateKey()}, {lead_id, std::to_string(lease_ms)});
  if (Status s = Check(r, "SLA ladder finish"); !s.ok()) return s;
  return r->integer == 1;
}

}  // namespace leadflow::routing
