#include "routing/app/routing_store.h"

#include <cstdio>

namespace leadflow::routing {
namespace {

const std::string kPrefix = "lf:{routing}:";
constexpr int kDailyTtlSeconds = 3 * 86400;

redis::Script& ClaimScript() {
  // KEYS: decision, open, daily, open-set, queue
  // ARGV: record, effect (none|rep|queue), lead_id, daily ttl, replace (0|1), expected
  static redis::Script script(R"lua(
local cur = redis.call('GET', KEYS[1])
local ok
if ARGV[5] == '1' then ok = (cur and cur == ARGV[6]) else ok = (not cur) end
if not ok then return {0, cur or ''} end
redis.call('SET', KEYS[1], ARGV[1])
local n = 0
if ARGV[2] == 'rep' then
  if redis.call('SADD', KEYS[4], ARGV[3]) == 1 then
    n = redis.call('INCR', KEYS[2])
    redis.call('INCR', KEYS[3])
    redis.call('EXPIRE', KEYS[3], ARGV[4])
  else
    n = tonumber(redis.call('GET', KEYS[2]) or '0')
  end
elseif ARGV[2] == 'queue' then
  n = redis.call('RPUSH', KEYS[5], ARGV[3])
end
return {1, n}
)lua");
  return script;
}

redis::Script& ReleaseScript() {
  // KEYS: open-set, open; ARGV: lead_id
  static redis::Script script(R"lua(
if redis.call('SREM', KEYS[1], ARGV[1]) == 1 then
  local v = redis.call('DECR', KEYS[2])
  if v < 0 then redis.call('SET', KEYS[2], 0); v = 0 end
  return {1, v}
end
return {0, tonumber(redis.call('GET', KEYS[2]) or '0')}
)lua");
  return script;
}

Status ReplyError(const redis::Reply& r, const std::string& what) {
  return Status::Unavailable("redis " + what + ": " + r.str);
}

}  // namespace

std::string RoutingStore::DayKey(std::chrono::system_clock::time_point now) {
  const auto d = std::chrono::floor<std::chrono::days>(now);
  const std::chrono::year_month_day ymd(d);
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

StatusOr<std::optional<StoredDecision>> RoutingStore::GetDecision(const std::string& lead_id) {
  auto r = redis_.Run({"GET", kPrefix + "decision:" + lead_id});
  if (!r.ok()) return r.status();
  if (r->is_error()) return ReplyError(*r, "GET decision");
  if (r->is_nil()) return std::optional<StoredDecision>();
  StoredDecision d;
  d.raw = r->str;
  if (!d.record.ParseFromString(d.raw)) {
    return Status::Internal("stored decision for lead " + lead_id + " is corrupt");
  }
  return std::optional<StoredDecision>(std::move(d));
}

StatusOr<ClaimResult> RoutingStore::Claim(const leadflow::routing::v1::LeadAssigned& record,
                                          ClaimEffect effect,
                                          std::chrono::system_clock::time_point now,
                                          const std::optional<std::string>& replace_raw) {
  const std::string& lead_id = record.scored().lead().meta().lead_id();
  const std::string& rep = record.decision().rep_id();
  const std::string& team = record.decision().team();
  std::string raw;
  record.SerializeToString(&raw);
  const char* mode = effect == ClaimEffect::kRep     ? "rep"
                     : effect == ClaimEffect::kQueue ? "queue"
                                                     : "none";
  auto r = redis_.Eval(ClaimScript(),
                       {kPrefix + "decision:" + lead_id, kPrefix + "open:" + rep,
                        kPrefix + "daily:" + DayKey(now) + ":" + rep, kPrefix + "open-set:" + rep,
                        kPrefix + "queue:" + team},
                       {raw, mode, lead_id, std::to_string(kDailyTtlSeconds),
                        replace_raw ? "1" : "0", replace_raw.value_or("")});
  if (!r.ok()) return r.status();
  if (r->is_error() || r->elements.size() != 2) return ReplyError(*r, "claim script");
  ClaimResult out;
  out.claimed = r->elements[0].integer == 1;
  if (out.claimed) {
    if (effect == ClaimEffect::kRep) out.rep_open_leads = r->elements[1].integer;
    if (effect == ClaimEffect::kQueue) out.queue_depth = r->elements[1].integer;
    return out;
  }
  out.existing.raw = r->elements[1].str;
  if (!out.existing.record.ParseFromString(out.existing.raw)) {
    return Status::Internal("stored decision for lead " + lead_id + " is corrupt");
  }
  return out;
}

StatusOr<bool> RoutingStore::Release(const std::string& lead_id, const std::string& rep_id,
                                     int64_t* open_after) {
  auto r = redis_.Eval(ReleaseScript(),
                       {kPrefix + "open-set:" + rep_id, kPrefix + "open:" + rep_id}, {lead_id});
  if (!r.ok()) return r.status();
  if (r->is_error() || r->elements.size() != 2) return ReplyError(*r, "release script");
  if (open_after != nullptr) *open_after = r->elements[1].integer;
  return r->elements[0].integer == 1;
}

StatusOr<RepStateView> RoutingStore::LoadRepStates(const std::vector<std::string>& rep_ids,
                                                   std::chrono::system_clock::time_point now) {
  RepStateView view;
  if (rep_ids.empty()) return view;
  redis::Command open{"MGET"}, daily{"MGET"}, avail{"HMGET", kPrefix + "availability"};
  const std::string day = DayKey(now);
  for (const auto& id : rep_ids) {
    open.push_back(kPrefix + "open:" + id);
    daily.push_back(kPrefix + "daily:" + day + ":" + id);
    avail.push_back(id);
  }
  auto r = redis_.Pipeline({open, daily, avail});
  if (!r.ok()) return r.status();
  for (const auto& reply : *r) {
    if (reply.is_error() || reply.elements.size() != rep_ids.size()) {
      return ReplyError(reply, "load rep states");
    }
  }
  auto num = [](const redis::Reply& e) -> int {
    if (e.is_nil() || e.str.empty()) return 0;
    try {
      return std::stoi(e.str);
    } catch (...) {
      return 0;
    }
  };
  for (size_t i = 0; i < rep_ids.size(); ++i) {
    RepState s;
    s.open_leads = num((*r)[0].elements[i]);
    s.today_count = num((*r)[1].elements[i]);
    const int a = num((*r)[2].elements[i]);
    if (leadflow::routing::v1::RepAvailability_IsValid(a)) {
      s.availability = static_cast<leadflow::routing::v1::RepAvailability>(a);
    }
    view.Set(rep_ids[i], s);
  }
  return view;
}

Status RoutingStore::SetAvailability(const std::string& rep_id,
                                     leadflow::routing::v1::RepAvailability a) {
  auto r =
      redis_.Run({"HSET", kPrefix + "availability", rep_id, std::to_string(static_cast<int>(a))});
  if (!r.ok()) return r.status();
  if (r->is_error()) return ReplyError(*r, "HSET availability");
  return Status::Ok();
}

StatusOr<std::vector<std::string>> RoutingStore::OpenLeads(const std::string& rep_id) {
  auto r = redis_.Run({"SMEMBERS", kPrefix + "open-set:" + rep_id});
  if (!r.ok()) return r.status();
  if (r->is_error()) return ReplyError(*r, "SMEMBERS open-set");
  std::vector<std::string> ids;
  for (const auto& e : r->elements) ids.push_back(e.str);
  return ids;
}

}  // namespace leadflow::routing
