#include "nurture/app/nurture_scripts.h"

namespace leadflow::nurture::scripts {

redis::Script& Enrol() {
  // KEYS: enrol, req, contact idx, lead idx, account idx, email idx, due
  // ARGV: req bytes, contact, lead, track, audience, account, trace, enrolled_ms,
  //       first touch id, first due ms, enrolment id, email
  static redis::Script s(R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'contact_id', ARGV[2], 'lead_id', ARGV[3], 'track_id', ARGV[4],
  'audience', ARGV[5], 'account_key', ARGV[6], 'trace_id', ARGV[7], 'enrolled_ms', ARGV[8],
  'next_step', '0', 'next_due_ms', ARGV[10], 'state', 'ACTIVE_ENROLMENT', 'exit_reason', '')
redis.call('SET', KEYS[2], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[11])
redis.call('SADD', KEYS[4], ARGV[11])
redis.call('SADD', KEYS[5], ARGV[11])
if ARGV[12] ~= '' then redis.call('SET', KEYS[6], ARGV[2]) end
redis.call('ZADD', KEYS[7], ARGV[10], ARGV[9])
return 1
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

redis::Script& Finish() {
  // KEYS: enrol, due, sent-list, inflight, sent marker, contact sends
  // ARGV: expected step, touch id, sent (0/1), sent ms, next touch, next due ms, week ms
  static redis::Script s(R"lua(
if ARGV[3] == '1' then
  redis.call('SET', KEYS[5], '1', 'EX', 31536000)
  redis.call('ZADD', KEYS[6], ARGV[4], ARGV[2])
  redis.call('ZREMRANGEBYSCORE', KEYS[6], '-inf', tonumber(ARGV[4]) - tonumber(ARGV[7]))
  redis.call('EXPIRE', KEYS[6], 1209600)
end
redis.call('HDEL', KEYS[4], ARGV[2])
if redis.call('HGET', KEYS[1], 'state') ~= 'ACTIVE_ENROLMENT' then return 0 end
if redis.call('HGET', KEYS[1], 'next_step') ~= ARGV[1] then return 0 end
if ARGV[3] == '1' then redis.call('RPUSH', KEYS[3], ARGV[2]) end
local next_step = tonumber(ARGV[1]) + 1
if ARGV[5] == '' then
  redis.call('HSET', KEYS[1], 'next_step', next_step, 'state', 'COMPLETED', 'next_due_ms', '0')
else
  redis.call('HSET', KEYS[1], 'next_step', next_step, 'next_due_ms', ARGV[6])
  redis.call('ZADD', KEYS[2], ARGV[6], ARGV[5])
end
return 1
)lua");
  return s;
}

redis::Script& Defer() {
  // KEYS: enrol; ARGV: step, due ms
  static redis::Script s(R"lua(
if redis.call('HGET', KEYS[1], 'state') ~= 'ACTIVE_ENROLMENT' then return 0 end
if redis.call('HGET', KEYS[1], 'next_step') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'next_due_ms', ARGV[2])
return 1
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
  // KEYS: enrol, due; ARGV: reason, enrolment id
  static redis::Script s(R"lua(
if redis.call('HGET', KEYS[1], 'state') ~= 'ACTIVE_ENROLMENT' then return 0 end
redis.call('HSET', KEYS[1], 'state', 'EXITED', 'exit_reason', ARGV[1])
local step = redis.call('HGET', KEYS[1], 'next_step')
redis.call('ZREM', KEYS[2], ARGV[2] .. ':' .. step)
return 1
)lua");
  return s;
}

}  // namespace leadflow::nurture::scripts
