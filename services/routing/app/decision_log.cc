#include "routing/app/decision_log.h"

#include "common/redis/reply.h"
#include "decision_log_replace.lua.h"
#include "common/redis/embedded_script.h"
#include "routing/app/routing_keys.h"

namespace leadflow::routing {

StatusOr<StoredDecision> DecisionLog::Parse(const std::string& lead_id, std::string raw) {
  StoredDecision d;
  d.raw = std::move(raw);
  if (!d.record.ParseFromString(d.raw)) {
    return Status::Internal("stored decision for lead " + lead_id + " is corrupt");
  }
  return d;
}

StatusOr<std::optional<StoredDecision>> DecisionLog::Get(const std::string& lead_id) {
  // With the state marker in the same MGET: a missing record in a state that
  // is being rebuilt is "retry later", never "no such lead".
  auto r = redis_.Run({"MGET", DecisionKey(lead_id), RoutingStateKey()});
  if (!r.ok()) return r.status();
  if (Status s = redis::ExpectArray(*r, 2, "GET decision"); !s.ok()) return s;
  if (r->elements[1].is_nil()) return Status::Unavailable(kRoutingStateRebuilding);
  if (r->elements[0].is_nil()) return std::optional<StoredDecision>();
  auto d = Parse(lead_id, std::move(r->elements[0].str));
  if (!d.ok()) return d.status();
  return std::optional<StoredDecision>(std::move(*d));
}

StatusOr<bool> DecisionLog::Replace(const std::string& lead_id, const std::string& expected_raw,
                                    const std::string& new_raw, int64_t ttl_seconds) {
  auto r = redis_.Eval(redis::EmbeddedScript<leadflow::lua::kDecisionLogReplace>(),
                       {DecisionKey(lead_id), RoutingStateKey()},
                       {expected_raw, new_raw, std::to_string(ttl_seconds)});
  if (!r.ok()) return r.status();
  auto replaced = redis::ExpectInteger(*r, "replace script");
  if (!replaced.ok()) return replaced.status();
  return *replaced == 1;
}

Status DecisionLog::RenewOwned(const std::vector<std::string>& lead_ids, int64_t ttl_seconds) {
  if (lead_ids.empty()) return Status::Ok();
  std::vector<redis::Command> cmds;
  cmds.reserve(2 * lead_ids.size());
  const std::string ttl = std::to_string(ttl_seconds);
  for (const auto& id : lead_ids) {
    cmds.push_back({"EXPIRE", DecisionKey(id), ttl});
    cmds.push_back({"EXPIRE", FeedbackKey(id), ttl});
  }
  return redis::ExpectAllOk(redis_.Pipeline(cmds), "EXPIRE owned");
}

}  // namespace leadflow::routing
