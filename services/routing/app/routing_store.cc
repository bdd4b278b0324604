#include "routing/app/routing_store.h"

#include <cstdio>
#include <cstdlib>

#include "routing/app/out_of_office_store.h"
#include "routing/app/routing_keys.h"
#include "routing/domain/queue_order.h"

namespace leadflow::routing {
namespace {

const std::string kPrefix = kRoutingKeyPrefix;  // routing_keys.h
const std::string kSlaKey = kPrefix + "sla";
const std::string kOutboxKey = kPrefix + "outbox";
const std::string kStallsKey = kPrefix + "stalls";
const std::string kStateKey = RoutingStateKey();  // routing_keys.h
constexpr char kRebuilding[] = "routing state is being rebuilt from the topics; retry later";

// A script body that first refuses (a REBUILDING error reply) when the state
// marker, KEYS[marker_key], is missing: Redis lost routing's state and it is
// being rebuilt (routing_state_rebuild.h), so nothing may change it.
std::string StateGated(int marker_key, const char* body) {
  return "if redis.call('EXISTS', KEYS[" + std::to_string(marker_key) +
         "]) == 0 then\n  return redis.error_reply('REBUILDING routing state is being rebuilt')\nend\n" +
         body;
}
constexpr int kDailyTtlSeconds = 3 * 86400;

// Keys and arguments per claim in ClaimScript (a batch passes them
// back to back).
constexpr size_t kClaimKeys = 9;
constexpr size_t kClaimArgs = 15;

redis::Script& ClaimScript() {
  // Per claim, back to back (kClaimKeys keys, kClaimArgs arguments each):
  // KEYS: decision, open, daily, open-set, queue, sla, outbox, state marker,
  //       cohort leads (cohort_store.h; the state marker again when none)
  // ARGV: record, mode (none|rep|queue), lead_id, daily ttl, replace (0|1),
  //       expected, max_open (0 = unlimited), daily_cap, sla_due_ms, dequeue
  //       (0|1), outbox_ms, record ttl seconds (0 = none), queue entry (the
  //       lead's rank in the team queue's sorted set, queue_order.h: added
  //       for mode queue, removed for dequeue), cohort (1: PFADD the lead to
  //       the cohort's leads), the cohort's expiry (unix seconds)
  // Returns per claim {1, n, depth} (claimed), {0, current record, 0}
  // (exists) or {2, '', 0} (no capacity), in order; a claim that fails in
  // Redis gets an error reply and the others still run. Without the state
  // marker (Redis lost routing's state; it is being rebuilt) every claim is
  // refused with a REBUILDING error: nothing is decided on an empty Redis.
  static redis::Script script(R"lua(
local function claim(k, a)
  if redis.call('EXISTS', k[8]) == 0 then
    return redis.error_reply('REBUILDING routing state is being rebuilt')
  end
  local cur = redis.call('GET', k[1])
  local ok
  if a[5] == '1' then ok = (cur and cur == a[6]) else ok = (not cur) end
  if not ok then return {0, cur or '', 0} end
  if a[2] == 'rep' then
    local max = tonumber(a[7])
    if max > 0 and redis.call('SISMEMBER', k[4], a[3]) == 0 then
      local open = tonumber(redis.call('GET', k[2]) or '0')
      local daily = tonumber(redis.call('GET', k[3]) or '0')
      if open >= max or daily >= tonumber(a[8]) then return {2, '', 0} end
    end
  end
  if tonumber(a[12]) > 0 then redis.call('SET', k[1], a[1], 'EX', a[12])
  else redis.call('SET', k[1], a[1]) end
  local n = 0
  if a[2] == 'rep' then
    if redis.call('SADD', k[4], a[3]) == 1 then
      n = redis.call('INCR', k[2])
      redis.call('INCR', k[3])
      redis.call('EXPIRE', k[3], a[4])
    else
      n = tonumber(redis.call('GET', k[2]) or '0')
    end
  elseif a[2] == 'queue' then
    -- Score 0 for all: the entry's bytes are its rank (queue_order.h).
    redis.call('ZADD', k[5], 0, a[13])
    n = redis.call('ZCARD', k[5])
  end
  local depth = 0
  if a[10] == '1' then
    redis.call('ZREM', k[5], a[13])
    depth = redis.call('ZCARD', k[5])
  end
  if tonumber(a[9]) > 0 then redis.call('ZADD', k[6], a[9], a[3]) end
  if tonumber(a[11]) > 0 then redis.call('ZADD', k[7], a[11], a[3]) end
  if a[14] == '1' then
    redis.call('PFADD', k[9], a[3])
    redis.call('EXPIREAT', k[9], a[15])
  end
  return {1, n, depth}
end
local out = {}
for i = 0, #KEYS / 9 - 1 do
  local ok, r = pcall(claim, {unpack(KEYS, 9 * i + 1, 9 * i + 9)},
                      {unpack(ARGV, 15 * i + 1, 15 * i + 15)})
  if ok then
    out[i + 1] = r
  elseif type(r) == 'table' and r.err then
    out[i + 1] = r
  else
    out[i + 1] = {err = tostring(r)}
  end
end
return out
)lua");
  return script;
}

redis::Script& ReassignScript() {
  // KEYS: decision, old open, old open-set, new open, new daily, new open-set, sla, outbox,
  //       state marker
  // ARGV: record, expected, lead_id, max_open, daily_cap, daily ttl, sla_due_ms, outbox_ms
  static redis::Script script(StateGated(9, R"lua(
local cur = redis.call('GET', KEYS[1])
if (not cur) or cur ~= ARGV[2] or (not redis.call('ZSCORE', KEYS[7], ARGV[3])) then
  return {0, cur or '', 0}
end
local open = tonumber(redis.call('GET', KEYS[4]) or '0')
local daily = tonumber(redis.call('GET', KEYS[5]) or '0')
if open >= tonumber(ARGV[4]) or daily >= tonumber(ARGV[5]) then return {2, '', 0} end
redis.call('SET', KEYS[1], ARGV[1])
if redis.call('SREM', KEYS[3], ARGV[3]) == 1 then
  local v = redis.call('DECR', KEYS[2])
  if v < 0 then redis.call('SET', KEYS[2], 0) end
end
local n = 0
if redis.call('SADD', KEYS[6], ARGV[3]) == 1 then
  n = redis.call('INCR', KEYS[4])
  redis.call('INCR', KEYS[5])
  redis.call('EXPIRE', KEYS[5], ARGV[6])
end
redis.call('ZADD', KEYS[7], ARGV[7], ARGV[3])
if tonumber(ARGV[8]) > 0 then redis.call('ZADD', KEYS[8], ARGV[8], ARGV[3]) end
return {1, n, 0}
)lua"));
  return script;
}

redis::Script& FeedbackScript() {
  // KEYS: open-set, open, sla, fb, decision, state marker, stalls, the won
  //       ledger of the month, the cohort's won deals (cohort_store.h; the
  //       state marker when none)
  // ARGV: lead_id, kind (accept|reject|close|stage), rep, detail, expected, new record,
  //       new record ttl (0 = none), fb ttl (0 = none), expected last tag,
  //       expected accepted_by, version, expected version (0 = none),
  //       stage: stage id, value, probability, previous stage, ms in previous
  //       stage, stage version, stall due ms (0 = keep timer and stall),
  //       close WON: the won deal ('' none), the ledger's expiry (unix s),
  //       cohort (1: ZADD the lead to the cohort's won deals), won at (ms),
  //       the cohort's expiry (unix s)
  // Applies only while the fb hash's `last`, `accepted_by` and `ver` are
  // still what the caller read (the state its transition was decided on).
  // Returns {1 applied | 3 state changed meanwhile | 0 not open, open leads,
  // 1 if replaced}.
  static redis::Script script(StateGated(6, R"lua(
local tag = ARGV[2] .. '|' .. ARGV[3]
local function open() return tonumber(redis.call('GET', KEYS[2]) or '0') end
local last = redis.call('HGET', KEYS[4], 'last') or ''
local by = redis.call('HGET', KEYS[4], 'accepted_by') or ''
local ver = tonumber(redis.call('HGET', KEYS[4], 'ver') or '0')
if last ~= ARGV[9] or by ~= ARGV[10] or ver ~= tonumber(ARGV[12]) then
  return {3, open(), 0}
end
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 0 then return {0, open(), 0} end
if ARGV[2] == 'accept' then
  redis.call('ZREM', KEYS[3], ARGV[1])
  redis.call('HSET', KEYS[4], 'last', tag, 'accepted_by', ARGV[3], 'ver', ARGV[11],
             'accepted_ver', ARGV[11])
  return {1, open(), 0}
end
if ARGV[2] == 'stage' then
  if by ~= ARGV[3] then return {0, open(), 0} end
  redis.call('HSET', KEYS[4], 'last', tag, 'ver', ARGV[11], 'stage', ARGV[13], 'value',
             ARGV[14], 'p', ARGV[15], 'from', ARGV[16], 'from_ms', ARGV[17], 'stage_ver',
             ARGV[18])
  if tonumber(ARGV[19]) > 0 then
    redis.call('HDEL', KEYS[4], 'stalled')
    redis.call('ZADD', KEYS[7], ARGV[19], ARGV[1])
  end
  return {1, open(), 0}
end
redis.call('SREM', KEYS[1], ARGV[1])
local v = redis.call('DECR', KEYS[2])
if v < 0 then redis.call('SET', KEYS[2], 0); v = 0 end
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[7], ARGV[1])
redis.call('HSET', KEYS[4], 'last', tag, ARGV[2], ARGV[4], 'ver', ARGV[11])
if tonumber(ARGV[8]) > 0 then redis.call('EXPIRE', KEYS[4], ARGV[8]) end
if ARGV[20] ~= '' then
  redis.call('HSET', KEYS[8], ARGV[1], ARGV[20])
  redis.call('EXPIREAT', KEYS[8], ARGV[21])
  if ARGV[22] == '1' then
    redis.call('ZADD', KEYS[9], ARGV[23], ARGV[1])
    redis.call('EXPIREAT', KEYS[9], ARGV[24])
  end
end
local replaced = 0
if ARGV[6] ~= '' and redis.call('GET', KEYS[5]) == ARGV[5] then
  if tonumber(ARGV[7]) > 0 then redis.call('SET', KEYS[5], ARGV[6], 'EX', ARGV[7])
  else redis.call('SET', KEYS[5], ARGV[6]) end
  replaced = 1
end
return {1, v, replaced}
)lua"));
  return script;
}

redis::Script& ReplaceScript() {
  // KEYS: decision, state marker; ARGV: expected, new record, ttl seconds (0 = none).
  // Returns 1 when replaced, 0 when the record changed meanwhile.
  static redis::Script script(StateGated(2, R"lua(
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if tonumber(ARGV[3]) > 0 then redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
else redis.call('SET', KEYS[1], ARGV[2]) end
return 1
)lua"));
  return script;
}

redis::Script& SlaCasScript() {
  // KEYS: sla, state marker; ARGV: lead_id, expected due, new due (0 = remove)
  static redis::Script script(StateGated(2, R"lua(
local cur = redis.call('ZSCORE', KEYS[1], ARGV[1])
if (not cur) or tonumber(cur) ~= tonumber(ARGV[2]) then return 0 end
if tonumber(ARGV[3]) > 0 then redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
else redis.call('ZREM', KEYS[1], ARGV[1]) end
return 1
)lua"));
  return script;
}

Status ReplyError(const redis::Reply& r, const std::string& what) {
  return Status::Unavailable("redis " + what + ": " + (r.is_error() ? r.str : "unexpected reply"));
}

Status Check(const StatusOr<redis::Reply>& r, const std::string& what) {
  if (!r.ok()) return r.status();
  if (r->is_error()) return ReplyError(*r, what);
  return Status::Ok();
}

std::string Key(const std::string& a, const std::string& b) { return kPrefix + a + ":" + b; }

StatusOr<ClaimResult> ParseClaimReply(redis::Reply& r, const std::string& lead_id,
                                      const std::string& what) {
  if (r.is_error() || r.elements.size() != 3) return ReplyError(r, what);
  ClaimResult out;
  switch (r.elements[0].integer) {
    case 1:
      out.kind = ClaimResult::Kind::kClaimed;
      out.rep_open_leads = r.elements[1].integer;
      out.queue_depth = r.elements[2].integer;
      return out;
    case 2:
      out.kind = ClaimResult::Kind::kNoCapacity;
      return out;
    default:
      out.kind = ClaimResult::Kind::kExists;
      out.existing.raw = std::move(r.elements[1].str);
      if (!out.existing.raw.empty() && !out.existing.record.ParseFromString(out.existing.raw)) {
        return Status::Internal("stored decision for lead " + lead_id + " is corrupt");
      }
      return out;
  }
}

StatusOr<ClaimResult> ParseClaimReply(StatusOr<redis::Reply>& r, const std::string& lead_id,
                                      const std::string& what) {
  if (!r.ok()) return r.status();
  return ParseClaimReply(*r, lead_id, what);
}

// The claim script's keys and arguments for one request.
redis::ScriptCall ClaimCall(const ClaimRequest& q) {
  std::string raw;
  const std::string* lead_id = &q.lead_id;
  const std::string* rep = &q.rep_id;
  const std::string* team = &q.team;
  if (q.raw != nullptr) {
    raw = *q.raw;
  } else {
    const auto& record = *q.record;
    lead_id = &record.scored().lead().meta().lead_id();
    rep = &record.decision().rep_id();
    team = &record.decision().team();
    record.SerializeToString(&raw);
  }
  const char* mode = q.effect == ClaimEffect::kRep     ? "rep"
                     : q.effect == ClaimEffect::kQueue ? "queue"
                                                       : "none";
  redis::ScriptCall call;
  call.keys = {Key("decision", *lead_id),
               Key("open", *rep),
               kPrefix + "daily:" + q.day + ":" + *rep,
               Key("open-set", *rep),
               Key("queue", *team),
               kSlaKey,
               kOutboxKey,
               kStateKey,
               q.cohort.empty() ? kStateKey : CohortLeadsKey(q.cohort)};
  call.args = {std::move(raw),
               mode,
               *lead_id,
               std::to_string(kDailyTtlSeconds),
               q.replace_raw ? "1" : "0",
               q.replace_raw.value_or(""),
               std::to_string(q.max_open),
               std::to_string(q.daily_cap),
               std::to_string(q.sla_due_ms),
               q.dequeue ? "1" : "0",
               std::to_string(q.outbox_ms),
               std::to_string(q.ttl_seconds),
               q.queue_entry,
               q.cohort.empty() ? "0" : "1",
               std::to_string(q.cohort_expires_at)};
  return call;
}

const std::string& ClaimLeadId(const ClaimRequest& q) {
  return q.raw != nullptr ? q.lead_id : q.record->scored().lead().meta().lead_id();
}

int ToInt(const redis::Reply& e) {
  if (e.is_nil() || e.str.empty()) return 0;
  try {
    return std::stoi(e.str);
  } catch (...) {
    return 0;
  }
}

// MGET open, MGET daily, HMGET availability, HMGET out-of-office
// (out_of_office_store.h) for `rep_ids`.
constexpr size_t kRepStateCommands = 4;
void AppendRepStateCommands(const std::vector<std::string>& rep_ids,
                            const RoutingStore::DayOf& day_of, std::vector<redis::Command>& cmds) {
  redis::Command open{"MGET"}, daily{"MGET"}, avail{"HMGET", kPrefix + "availability"},
      away{"HMGET", OutOfOfficeStore::Key()};
  open.reserve(rep_ids.size() + 1);
  daily.reserve(rep_ids.size() + 1);
  avail.reserve(rep_ids.size() + 2);
  away.reserve(rep_ids.size() + 2);
  for (const auto& id : rep_ids) {
    open.push_back(Key("open", id));
    daily.push_back(kPrefix + "daily:" + day_of(id) + ":" + id);
    avail.push_back(id);
    away.push_back(id);
  }
  cmds.push_back(std::move(open));
  cmds.push_back(std::move(daily));
  cmds.push_back(std::move(avail));
  cmds.push_back(std::move(away));
}

// The view from the replies of AppendRepStateCommands, starting at `first`.
StatusOr<RepStateView> ParseRepStates(const std::vector<std::string>& rep_ids,
                                      const std::vector<redis::Reply>& replies, size_t first) {
  for (size_t c = first; c < first + kRepStateCommands; ++c) {
    if (replies[c].is_error() || replies[c].elements.size() != rep_ids.size()) {
      return ReplyError(replies[c], "load rep states");
    }
  }
  RepStateView view;
  for (size_t i = 0; i < rep_ids.size(); ++i) {
    RepState s;
    s.open_leads = ToInt(replies[first].elements[i]);
    s.today_count = ToInt(replies[first + 1].elements[i]);
    const int a = ToInt(replies[first + 2].elements[i]);
    if (leadflow::routing::v1::RepAvailability_IsValid(a)) {
      s.availability = static_cast<leadflow::routing::v1::RepAvailability>(a);
    }
    s.out_of_office = OutOfOfficeStore::Parse(replies[first + 3].elements[i].str);
    view.Set(rep_ids[i], s);
  }
  return view;
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

StatusOr<StoredDecision> RoutingStore::ParseDecision(const std::string& lead_id, std::string raw) {
  StoredDecision d;
  d.raw = std::move(raw);
  if (!d.record.ParseFromString(d.raw)) {
    return Status::Internal("stored decision for lead " + lead_id + " is corrupt");
  }
  return d;
}

StatusOr<std::optional<StoredDecision>> RoutingStore::GetDecision(const std::string& lead_id) {
  // With the state marker in the same MGET: a missing record in a state that
  // is being rebuilt is "retry later", never "no such lead".
  auto r = redis_.Run({"MGET", Key("decision", lead_id), kStateKey});
  if (Status s = Check(r, "GET decision"); !s.ok()) return s;
  if (r->elements.size() != 2) return ReplyError(*r, "GET decision");
  if (r->elements[1].is_nil()) return Status::Unavailable(kRebuilding);
  if (r->elements[0].is_nil()) return std::optional<StoredDecision>();
  auto d = ParseDecision(lead_id, std::move(r->elements[0].str));
  if (!d.ok()) return d.status();
  return std::optional<StoredDecision>(std::move(*d));
}

StatusOr<ClaimResult> RoutingStore::Claim(const ClaimRequest& q) {
  auto many = ClaimMany({q});
  if (!many.ok()) return many.status();
  return std::move(many->front());
}

StatusOr<std::vector<StatusOr<ClaimResult>>> RoutingStore::ClaimMany(
    const std::vector<ClaimRequest>& requests) {
  std::vector<StatusOr<ClaimResult>> out;
  if (requests.empty()) return out;
  // One script call for the batch: every key is under {routing} (one slot).
  std::vector<std::string> keys, args;
  keys.reserve(kClaimKeys * requests.size());
  args.reserve(kClaimArgs * requests.size());
  for (const auto& q : requests) {
    redis::ScriptCall call = ClaimCall(q);
    for (auto& k : call.keys) keys.push_back(std::move(k));
    for (auto& a : call.args) args.push_back(std::move(a));
  }
  auto reply = redis_.Eval(ClaimScript(), keys, args);
  if (!reply.ok()) return reply.status();
  if (reply->is_error() || reply->elements.size() != requests.size()) {
    return ReplyError(*reply, "claim script");
  }
  out.reserve(requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    out.push_back(ParseClaimReply(reply->elements[i], ClaimLeadId(requests[i]), "claim script"));
  }
  return out;
}

StatusOr<ClaimResult> RoutingStore::Reassign(const ReassignRequest& q) {
  const auto& record = *q.record;
  const std::string& lead_id = record.scored().lead().meta().lead_id();
  const std::string& rep = record.decision().rep_id();
  std::string raw;
  record.SerializeToString(&raw);
  StatusOr<redis::Reply> r =
      redis_.Eval(ReassignScript(),
                  {Key("decision", lead_id), Key("open", q.old_rep), Key("open-set", q.old_rep),
                   Key("open", rep), kPrefix + "daily:" + q.day + ":" + rep, Key("open-set", rep),
                   kSlaKey, kOutboxKey, kStateKey},
                  {raw, q.expected_raw, lead_id, std::to_string(q.max_open),
                   std::to_string(q.daily_cap), std::to_string(kDailyTtlSeconds),
                   std::to_string(q.sla_due_ms), std::to_string(q.outbox_ms)});
  return ParseClaimReply(r, lead_id, "reassign script");
}

StatusOr<FeedbackApply> RoutingStore::ApplyFeedback(
    const std::string& lead_id, const std::string& rep_id, const std::string& kind,
    const std::string& detail, const std::string& expected_raw, const FeedbackTags& expected_tags,
    int64_t version, const FeedbackRecord& write, int64_t* open_after, bool* replaced) {
  auto r = redis_.Eval(
      FeedbackScript(),
      {Key("open-set", rep_id), Key("open", rep_id), kSlaKey, Key("fb", lead_id),
       Key("decision", lead_id), kStateKey, kStallsKey,
       write.won_entry.empty() ? kStateKey : WonLedgerKey(write.won_month),
       write.won_cohort.empty() ? kStateKey : CohortWonKey(write.won_cohort)},
      {lead_id, kind, rep_id, detail, expected_raw, write.new_record,
       std::to_string(write.new_record_ttl_seconds), std::to_string(write.feedback_ttl_seconds),
       expected_tags.last, expected_tags.accepted_by, std::to_string(version),
       std::to_string(expected_tags.version), write.stage, std::to_string(write.value_rub),
       std::to_string(write.win_probability_pct), write.previous_stage,
       std::to_string(write.ms_in_previous_stage), std::to_string(write.stage_version),
       std::to_string(write.stall_due_ms), write.won_entry, std::to_string(write.won_expires_at),
       write.won_cohort.empty() ? "0" : "1", std::to_string(write.won_at_ms),
       std::to_string(write.cohort_expires_at)});
  if (!r.ok()) return r.status();
  if (r->is_error() || r->elements.size() != 3) return ReplyError(*r, "feedback script");
  if (open_after != nullptr) *open_after = r->elements[1].integer;
  if (replaced != nullptr) *replaced = r->elements[2].integer == 1;
  switch (r->elements[0].integer) {
    case 1:
      return FeedbackApply::kApplied;
    case 3:
      return FeedbackApply::kChanged;
    default:
      return FeedbackApply::kNotOpen;
  }
}

StatusOr<bool> RoutingStore::ReplaceDecision(const std::string& lead_id,
                                             const std::string& expected_raw,
                                             const std::string& new_raw, int64_t ttl_seconds) {
  auto r = redis_.Eval(ReplaceScript(), {Key("decision", lead_id), kStateKey},
                       {expected_raw, new_raw, std::to_string(ttl_seconds)});
  if (Status s = Check(r, "replace script"); !s.ok()) return s;
  return r->integer == 1;
}

Status RoutingStore::RenewOwned(const std::vector<std::string>& lead_ids, int64_t ttl_seconds) {
  if (lead_ids.empty()) return Status::Ok();
  std::vector<redis::Command> cmds;
  cmds.reserve(2 * lead_ids.size());
  const std::string ttl = std::to_string(ttl_seconds);
  for (const auto& id : lead_ids) {
    cmds.push_back({"EXPIRE", Key("decision", id), ttl});
    cmds.push_back({"EXPIRE", Key("fb", id), ttl});
  }
  auto r = redis_.Pipeline(cmds);
  if (!r.ok()) return r.status();
  for (const auto& reply : *r) {
    if (reply.is_error()) return ReplyError(reply, "EXPIRE owned");
  }
  return Status::Ok();
}

StatusOr<std::string> RoutingStore::LastFeedback(const std::string& lead_id) {
  auto r = redis_.Run({"HGET", Key("fb", lead_id), "last"});
  if (Status s = Check(r, "HGET fb"); !s.ok()) return s;
  return r->is_nil() ? std::string() : r->str;
}

StatusOr<std::vector<std::string>> RoutingStore::LastFeedbacks(
    const std::vector<std::string>& lead_ids) {
  std::vector<redis::Command> cmds;
  cmds.reserve(lead_ids.size());
  for (const auto& id : lead_ids) cmds.push_back({"HGET", Key("fb", id), "last"});
  auto r = redis_.Pipeline(cmds);
  if (!r.ok()) return r.status();
  std::vector<std::string> out;
  out.reserve(lead_ids.size());
  for (auto& reply : *r) {
    if (reply.is_error()) return ReplyError(reply, "HGET fb");
    out.push_back(reply.is_nil() ? std::string() : std::move(reply.str));
  }
  return out;
}

namespace {

redis::Command FeedbackTagsCommand(const std::string& key) {
  return {"HMGET", key,   "last",         "accepted_by", "reject",
          "close", "ver", "accepted_ver", "stage",       "stage_ver",
          "value", "p",   "from",         "from_ms",     "stalled"};
}

StatusOr<FeedbackTags> ParseFeedbackTags(const redis::Reply& r) {
  if (r.is_error() || r.elements.size() != 13) return ReplyError(r, "HMGET fb");
  auto str = [&](size_t i) { return r.elements[i].is_nil() ? std::string() : r.elements[i].str; };
  auto num = [&](size_t i) -> int64_t {
    const std::string v = str(i);
    return v.empty() ? 0 : std::strtoll(v.c_str(), nullptr, 10);
  };
  FeedbackTags t;
  t.last = str(0);
  t.accepted_by = str(1);
  t.reject = str(2);
  t.close = str(3);
  t.version = num(4);
  t.accepted_version = num(5);
  t.stage = str(6);
  t.stage_version = num(7);
  t.value_rub = num(8);
  t.win_probability_pct = static_cast<int>(num(9));
  t.previous_stage = str(10);
  t.ms_in_previous_stage = num(11);
  t.stalled_version = num(12);
  return t;
}

}  // namespace

StatusOr<FeedbackTags> RoutingStore::GetFeedbackTags(const std::string& lead_id) {
  auto r = redis_.Run(FeedbackTagsCommand(Key("fb", lead_id)));
  if (!r.ok()) return r.status();
  return ParseFeedbackTags(*r);
}

StatusOr<std::vector<FeedbackTags>> RoutingStore::GetFeedbackTagsMany(
    const std::vector<std::string>& lead_ids) {
  std::vector<redis::Command> cmds;
  cmds.reserve(lead_ids.size());
  for (const auto& id : lead_ids) cmds.push_back(FeedbackTagsCommand(Key("fb", id)));
  if (cmds.empty()) return std::vector<FeedbackTags>{};
  auto r = redis_.Pipeline(cmds);
  if (!r.ok()) return r.status();
  std::vector<FeedbackTags> out;
  out.reserve(lead_ids.size());
  for (const auto& reply : *r) {
    auto t = ParseFeedbackTags(reply);
    if (!t.ok()) return t.status();
    out.push_back(std::move(*t));
  }
  return out;
}

StatusOr<RepStateView> RoutingStore::LoadRepStates(const std::vector<std::string>& rep_ids,
                                                   const DayOf& day_of) {
  auto snapshot = ReadForRouting({}, rep_ids, day_of);
  if (!snapshot.ok()) return snapshot.status();
  return std::move(snapshot->reps);
}

StatusOr<RoutingStore::RoutingSnapshot> RoutingStore::ReadForRouting(
    const std::vector<std::string>& lead_ids, const std::vector<std::string>& rep_ids,
    const DayOf& day_of) {
  RoutingSnapshot out;
  std::vector<redis::Command> cmds;
  cmds.push_back({"EXISTS", kStateKey});  // a snapshot of a state being rebuilt is no snapshot
  if (!lead_ids.empty()) {
    redis::Command get{"MGET"};
    get.reserve(lead_ids.size() + 1);
    for (const auto& id : lead_ids) get.push_back(Key("decision", id));
    cmds.push_back(std::move(get));
  }
  if (!rep_ids.empty()) AppendRepStateCommands(rep_ids, day_of, cmds);
  auto r = redis_.Pipeline(cmds);
  if (!r.ok()) return r.status();
  if ((*r)[0].is_error()) return ReplyError((*r)[0], "EXISTS state");
  if ((*r)[0].integer != 1) return Status::Unavailable(kRebuilding);
  size_t next = 1;
  if (!lead_ids.empty()) {
    redis::Reply& got = (*r)[next++];
    if (got.is_error() || got.elements.size() != lead_ids.size()) {
      return ReplyError(got, "MGET decisions");
    }
    out.decisions.reserve(lead_ids.size());
    for (auto& e : got.elements) {
      out.decisions.push_back(e.is_nil() ? std::nullopt : std::optional(std::move(e.str)));
    }
  }
  if (!rep_ids.empty()) {
    auto reps = ParseRepStates(rep_ids, *r, next);
    if (!reps.ok()) return reps.status();
    out.reps = std::move(*reps);
  }
  return out;
}

Status RoutingStore::SetAvailability(const std::string& rep_id,
                                     leadflow::routing::v1::RepAvailability a) {
  // KEYS: availability, state marker; ARGV: rep, availability number.
  static redis::Script script(StateGated(2, R"lua(
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
)lua"));
  return Check(redis_.Eval(script, {kPrefix + "availability", kStateKey},
                           {rep_id, std::to_string(static_cast<int>(a))}),
               "availability script");
}

StatusOr<std::vector<std::string>> RoutingStore::OpenLeads(const std::string& rep_id) {
  auto r = redis_.Run({"SMEMBERS", Key("open-set", rep_id)});
  if (Status s = Check(r, "SMEMBERS open-set"); !s.ok()) return s;
  std::vector<std::string> ids;
  for (const auto& e : r->elements) ids.push_back(e.str);
  return ids;
}

StatusOr<std::vector<QueuedLead>> RoutingStore::QueuedLeads(const std::string& team, int limit) {
  // Every score is 0, so ZRANGE returns the entries in byte order: the drain
  // order (queue_order.h).
  auto r = redis_.Run({"ZRANGE", Key("queue", team), "0", std::to_string(limit - 1)});
  if (Status s = Check(r, "ZRANGE queue"); !s.ok()) return s;
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

StatusOr<int64_t> RoutingStore::QueueDepth(const std::string& team) {
  auto r = redis_.Run({"ZCARD", Key("queue", team)});
  if (Status s = Check(r, "ZCARD queue"); !s.ok()) return s;
  return r->integer;
}

Status RoutingStore::RemoveFromQueue(const std::string& team, const std::string& entry) {
  return Check(redis_.Run({"ZREM", Key("queue", team), entry}), "ZREM queue");
}

StatusOr<std::vector<std::pair<std::string, int64_t>>> RoutingStore::DueSlaTimers(int64_t now_ms,
                                                                                  int limit) {
  return DueTimers(kSlaKey, now_ms, limit);
}

StatusOr<std::vector<std::pair<std::string, int64_t>>> RoutingStore::DueStallTimers(int64_t now_ms,
                                                                                    int limit) {
  return DueTimers(kStallsKey, now_ms, limit);
}

Status RoutingStore::StopStallTimer(const std::string& lead_id, int64_t due_ms) {
  if (due_ms == 0) return Check(redis_.Run({"ZREM", kStallsKey, lead_id}), "ZREM stalls");
  return Check(
      redis_.Eval(SlaCasScript(), {kStallsKey, kStateKey}, {lead_id, std::to_string(due_ms), "0"}),
      "stall timer script");
}

StatusOr<bool> RoutingStore::MarkStalled(const std::string& lead_id, int64_t due_ms,
                                         int64_t stage_version, int64_t stall_version) {
  // KEYS: stalls, fb, state marker; ARGV: lead_id, due ms, stage version, stall version.
  // Returns 1 when the stall was recorded, 0 when the timer or stage changed.
  static redis::Script script(StateGated(3, R"lua(
local cur = redis.call('ZSCORE', KEYS[1], ARGV[1])
if (not cur) or tonumber(cur) ~= tonumber(ARGV[2]) then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
if tonumber(redis.call('HGET', KEYS[2], 'stage_ver') or '0') ~= tonumber(ARGV[3]) then
  return 0
end
redis.call('HSET', KEYS[2], 'stalled', ARGV[4])
return 1
)lua"));
  auto r = redis_.Eval(script, {kStallsKey, Key("fb", lead_id), kStateKey},
                       {lead_id, std::to_string(due_ms), std::to_string(stage_version),
                        std::to_string(stall_version)});
  if (Status s = Check(r, "stall script"); !s.ok()) return s;
  return r->integer == 1;
}

StatusOr<std::vector<std::pair<std::string, int64_t>>> RoutingStore::DueTimers(
    const std::string& key, int64_t now_ms, int limit) {
  auto r = redis_.Run({"ZRANGEBYSCORE", key, "-inf", std::to_string(now_ms), "WITHSCORES", "LIMIT",
                       "0", std::to_string(limit)});
  if (Status s = Check(r, "ZRANGEBYSCORE " + key); !s.ok()) return s;
  std::vector<std::pair<std::string, int64_t>> out;
  for (size_t i = 0; i + 1 < r->elements.size(); i += 2) {
    int64_t due = 0;
    try {
      due = static_cast<int64_t>(std::stod(r->elements[i + 1].str));
    } catch (...) {
    }
    out.emplace_back(r->elements[i].str, due);
  }
  return out;
}

Status RoutingStore::StopSlaTimer(const std::string& lead_id) {
  return Check(redis_.Run({"ZREM", kSlaKey, lead_id}), "ZREM sla");
}

Status RoutingStore::CompareAndSetSlaTimer(const std::string& lead_id, int64_t expected_due_ms,
                                           int64_t new_due_ms) {
  return Check(redis_.Eval(SlaCasScript(), {kSlaKey, kStateKey},
                           {lead_id, std::to_string(expected_due_ms), std::to_string(new_due_ms)}),
               "SLA timer script");
}

StatusOr<std::vector<std::string>> RoutingStore::OutboxDue(int64_t before_ms, int limit) {
  auto r = redis_.Run({"ZRANGEBYSCORE", kOutboxKey, "-inf", std::to_string(before_ms), "LIMIT", "0",
                       std::to_string(limit)});
  if (Status s = Check(r, "ZRANGEBYSCORE outbox"); !s.ok()) return s;
  std::vector<std::string> ids;
  for (const auto& e : r->elements) ids.push_back(e.str);
  return ids;
}

Status RoutingStore::Emitted(const std::string& lead_id) {
  return Check(redis_.Run({"ZREM", kOutboxKey, lead_id}), "ZREM outbox");
}

}  // namespace leadflow::routing
