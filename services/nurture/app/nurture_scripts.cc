#include "nurture/app/nurture_scripts.h"

namespace leadflow::nurture::scripts {
namespace {

// Prepended to the scripts that pass a whole batch to one variadic command:
// Lua's unpack() is limited to a few thousand values, so the lists go in
// chunks (of an even size: ZADD and HSET take pairs).
const std::string kChunks = R"lua(
local function each_chunk(list, fn)
  for i = 1, #list, 1000 do fn(unpack(list, i, math.min(i + 999, #list))) end
end
)lua";

// Prepended to the scripts that end an enrolment (completed or exited): what
// it keeps afterwards and for how long (nurture_store.h, docs/state.md). The
// lead's body goes; the enrolment (ids and its outcome) and its sent list
// expire after `ended_ttl`; the lead index after `index_ttl`; the enrolment
// leaves the account index and the email lookup, which is deleted with the
// email's last active enrolment; the contact index then expires after
// `ended_ttl` too (after `index_ttl` while another enrolment of the contact
// may still be active, or when that cannot be told). k: enrol, req, list,
// lead, contact, account, email (keys); email is nil when the enrolment's
// email is unknown (none, or enrolled before the email field existed). An
// email lookup of the older string form is left as it is.
const std::string kEndEnrolment = R"lua(
local function end_enrolment(k, eid, ended_ttl, index_ttl)
  redis.call('DEL', k.req)
  redis.call('HDEL', k.enrol, 'account_key', 'email')
  redis.call('EXPIRE', k.enrol, ended_ttl)
  redis.call('EXPIRE', k.list, ended_ttl)
  redis.call('EXPIRE', k.lead, index_ttl)
  redis.call('SREM', k.account, eid)
  local contact_ttl = index_ttl
  if k.email and pcall(redis.call, 'HDEL', k.email, eid) then
    if redis.call('HLEN', k.email) <= 1 then
      redis.call('DEL', k.email)
      contact_ttl = ended_ttl
    end
  end
  redis.call('EXPIRE', k.contact, contact_ttl)
end
)lua";

}  // namespace

redis::Script& Enrol() {
  // Enrols several. KEYS: due, then per enrolment: enrol, req, contact idx,
  // lead idx, account idx, email idx. ARGV per enrolment: req bytes, contact,
  // lead, track, audience, account, trace, enrolled_ms, first touch id, first
  // due ms, enrolment id, email. Returns per enrolment 1 (created), 0 (it
  // existed: its id is in the lead's index, which outlives the enrolment) or
  // an error of its own. One ZADD of the due set for all. The email idx is a
  // hash: "contact" -> contact id, and one field per active enrolment (an
  // older string value is replaced).
  static redis::Script s(kChunks + R"lua(
local created, due = {}, {}
for i = 0, (#KEYS - 1) / 6 - 1 do
  local k, a = 1 + 6 * i, 12 * i
  local ok, res = pcall(function()
    if redis.call('SISMEMBER', KEYS[k + 4], ARGV[a + 11]) == 1 then return 0 end
    redis.call('HSET', KEYS[k + 1], 'contact_id', ARGV[a + 2], 'lead_id', ARGV[a + 3],
      'track_id', ARGV[a + 4], 'audience', ARGV[a + 5], 'account_key', ARGV[a + 6],
      'trace_id', ARGV[a + 7], 'enrolled_ms', ARGV[a + 8], 'next_step', '0',
      'next_due_ms', ARGV[a + 10], 'state', 'ACTIVE_ENROLMENT', 'exit_reason', '',
      'email', ARGV[a + 12])
    redis.call('SET', KEYS[k + 2], ARGV[a + 1])
    redis.call('SADD', KEYS[k + 3], ARGV[a + 11])
    redis.call('PERSIST', KEYS[k + 3])  -- no TTL while the contact has an active enrolment
    redis.call('SADD', KEYS[k + 4], ARGV[a + 11])
    redis.call('SADD', KEYS[k + 5], ARGV[a + 11])
    if ARGV[a + 12] ~= '' then
      local email = {KEYS[k + 6], 'contact', ARGV[a + 2], ARGV[a + 11], '1'}
      if not pcall(redis.call, 'HSET', unpack(email)) then
        redis.call('DEL', KEYS[k + 6])
        redis.call('HSET', unpack(email))
      end
    end
    return 1
  end)
  if not ok then
    created[i + 1] = {err = tostring(res.err or res)}
  else
    created[i + 1] = res
    if res == 1 then
      due[#due + 1] = ARGV[a + 10]
      due[#due + 1] = ARGV[a + 9]
    end
  end
end
each_chunk(due, function(...) redis.call('ZADD', KEYS[1], ...) end)
return created
)lua");
  return s;
}

redis::Script& Claim() {
  // KEYS: due, inflight; ARGV: touch id, now ms
  static redis::Script s(R"lua(
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score or tonumber(score) > tonumber(ARGV[2]) then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], score)
return 1
)lua");
  return s;
}

redis::Script& ClaimDue() {
  // KEYS: due, inflight; ARGV: now ms, limit. Returns the claimed touch ids.
  // One ZREM and one HSET for all of them.
  static redis::Script s(kChunks + R"lua(
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0, ARGV[2])
if #due == 0 then return {} end
local ids = {}
for i = 1, #due, 2 do ids[#ids + 1] = due[i] end
each_chunk(ids, function(...) redis.call('ZREM', KEYS[1], ...) end)
each_chunk(due, function(...) redis.call('HSET', KEYS[2], ...) end)
return ids
)lua");
  return s;
}

redis::Script& Finish() {
  // Finishes several touches. KEYS: due, inflight, then per touch: enrol,
  // sent-list, sent marker, contact sends, req, lead idx, contact idx,
  // account idx, email idx. ARGV: week ms, sent marker ttl, ended ttl, index
  // ttl, then per touch: expected step, touch id, sent (0/1), sent ms, next
  // touch, next due ms, enrolment id, email known (0/1), the touch's member in
  // the contact's sends. Returns per touch 1
  // when its enrolment advanced, else 0, or an error of its own (that touch
  // stays in flight). A touch without a next one completes its enrolment,
  // which ends (end_enrolment). One HDEL of the in-flight hash and one ZADD of
  // the due set for all of them.
  static redis::Script s(kChunks + kEndEnrolment + R"lua(
local advanced, touches, due = {}, {}, {}
for i = 0, (#KEYS - 2) / 9 - 1 do
  local b = 3 + 9 * i
  local enrol, list, marker, sends = KEYS[b], KEYS[b + 1], KEYS[b + 2], KEYS[b + 3]
  local a = 5 + 9 * i
  local step, touch, sent, sent_ms, next_touch, next_due, eid, has_email, member =
    ARGV[a], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4], ARGV[a + 5], ARGV[a + 6],
    ARGV[a + 7], ARGV[a + 8]
  local ok, res = pcall(function()
    if sent == '1' then
      redis.call('SET', marker, '1', 'EX', ARGV[2])
      redis.call('ZADD', sends, sent_ms, member)
      redis.call('ZREMRANGEBYSCORE', sends, '-inf', tonumber(sent_ms) - tonumber(ARGV[1]))
      redis.call('EXPIRE', sends, 1209600)
    end
    local cur = redis.call('HMGET', enrol, 'state', 'next_step')
    if cur[1] ~= 'ACTIVE_ENROLMENT' or cur[2] ~= step then return 0 end
    if sent == '1' then redis.call('RPUSH', list, touch) end
    local next_step = tonumber(step) + 1
    if next_touch == '' then
      redis.call('HSET', enrol, 'next_step', next_step, 'state', 'COMPLETED', 'next_due_ms', '0')
      end_enrolment({enrol = enrol, list = list, req = KEYS[b + 4], lead = KEYS[b + 5],
                     contact = KEYS[b + 6], account = KEYS[b + 7],
                     email = has_email == '1' and KEYS[b + 8] or nil}, eid, ARGV[3], ARGV[4])
    else
      redis.call('HSET', enrol, 'next_step', next_step, 'next_due_ms', next_due)
      due[#due + 1] = next_due
      due[#due + 1] = next_touch
    end
    return 1
  end)
  if ok then
    advanced[i + 1] = res
    touches[#touches + 1] = touch
  else
    advanced[i + 1] = {err = tostring(res.err or res)}  -- stays in flight: Recover()
  end
end
each_chunk(touches, function(...) redis.call('HDEL', KEYS[2], ...) end)
each_chunk(due, function(...) redis.call('ZADD', KEYS[1], ...) end)
return advanced
)lua");
  return s;
}

redis::Script& ContactChecks() {
  // KEYS: unsub, then per contact: its sends, then its n suppression sets.
  // ARGV per contact: contact id, topic, sends score min (exclusive "(ms"), n.
  // Returns per contact {unsubscribed 0/1, suppressed 0/1, sends WITHSCORES},
  // or an error of its own.
  // One SMISMEMBER for every contact; the suppression sets are only read
  // when one of them exists.
  static redis::Script s(kChunks + R"lua(
local queries, contacts, supp = {}, {}, {}
local k, a = 2, 1
while a <= #ARGV do
  local q = {sends = KEYS[k], topic = ARGV[a + 1], min = ARGV[a + 2], sets = {}}
  contacts[#contacts + 1] = ARGV[a]
  k = k + 1
  for j = 1, tonumber(ARGV[a + 3]) do
    q.sets[j] = KEYS[k]
    supp[#supp + 1] = KEYS[k]
    k = k + 1
  end
  queries[#queries + 1] = q
  a = a + 4
end
if #queries == 0 then return {} end
local unsub, existing = {}, 0
each_chunk(contacts, function(...)
  for _, v in ipairs(redis.call('SMISMEMBER', KEYS[1], ...)) do unsub[#unsub + 1] = v end
end)
each_chunk(supp, function(...) existing = existing + redis.call('EXISTS', ...) end)
local any_suppressed = existing > 0
local out = {}
for i, q in ipairs(queries) do
  local ok, res = pcall(function()
    local suppressed = 0
    if any_suppressed then
      for _, set in ipairs(q.sets) do
        if redis.call('SISMEMBER', set, q.topic) == 1 then suppressed = 1 end
      end
    end
    return {unsub[i], suppressed, redis.call('ZRANGEBYSCORE', q.sends, q.min, '+inf', 'WITHSCORES')}
  end)
  out[i] = ok and res or {err = tostring(res.err or res)}
end
return out
)lua");
  return s;
}

redis::Script& Defer() {
  // Defers several in-flight touches. KEYS: due, inflight, then per touch its
  // enrol. ARGV per touch: step, touch id, due ms. Each touch goes back to the
  // due set at its due ms (one ZADD and one HDEL for all); its enrolment's
  // next_due_ms follows when it is still active at that step. Returns per
  // touch 1 when the enrolment followed, else 0, or an error of its own.
  static redis::Script s(kChunks + R"lua(
local followed, touches, due = {}, {}, {}
for i = 0, #KEYS - 3 do
  local enrol, a = KEYS[3 + i], 3 * i
  local step, touch, due_ms = ARGV[a + 1], ARGV[a + 2], ARGV[a + 3]
  touches[#touches + 1] = touch
  due[#due + 1] = due_ms
  due[#due + 1] = touch
  local ok, res = pcall(function()
    local cur = redis.call('HMGET', enrol, 'state', 'next_step')
    if cur[1] ~= 'ACTIVE_ENROLMENT' or cur[2] ~= step then return 0 end
    redis.call('HSET', enrol, 'next_due_ms', due_ms)
    return 1
  end)
  followed[i + 1] = ok and res or {err = tostring(res.err or res)}
end
each_chunk(due, function(...) redis.call('ZADD', KEYS[1], ...) end)
each_chunk(touches, function(...) redis.call('HDEL', KEYS[2], ...) end)
return followed
)lua");
  return s;
}

redis::Script& Lease() {
  // KEYS: lease; ARGV: owner, ttl ms
  static redis::Script s(R"lua(
local cur = redis.call('GET', KEYS[1])
if cur == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if not cur then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0
)lua");
  return s;
}

redis::Script& Exit() {
  // KEYS: enrol, due, req, sent-list, lead idx, contact idx, account idx,
  // email idx; ARGV: reason, enrolment id, email known (0/1), ended ttl,
  // index ttl. Exits an active enrolment (its next touch leaves the schedule)
  // and ends it (end_enrolment); 1 when it did, 0 when it was not active.
  static redis::Script s(kEndEnrolment + R"lua(
local cur = redis.call('HMGET', KEYS[1], 'state', 'next_step')
if cur[1] ~= 'ACTIVE_ENROLMENT' then return 0 end
redis.call('HSET', KEYS[1], 'state', 'EXITED', 'exit_reason', ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[2] .. ':' .. cur[2])
end_enrolment({enrol = KEYS[1], req = KEYS[3], list = KEYS[4], lead = KEYS[5], contact = KEYS[6],
               account = KEYS[7], email = ARGV[3] == '1' and KEYS[8] or nil},
              ARGV[2], ARGV[4], ARGV[5])
return 1
)lua");
  return s;
}

}  // namespace leadflow::nurture::scripts
