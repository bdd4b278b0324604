-- The SLA re-assignment of a lead (lead_claims.h), atomically: only while the
-- lead's SLA timer still runs and its record is still ARGV[2]; releases the
-- old rep's slot, claims the new rep under its caps, restarts the timer.
--   KEYS[1] lf:{routing}:decision:<lead>  KEYS[2] open:<old rep>
--   KEYS[3] open-set:<old rep>  KEYS[4] open:<new rep>
--   KEYS[5] daily:<day>:<new rep>  KEYS[6] open-set:<new rep>  KEYS[7] sla
--   KEYS[8] outbox  KEYS[9] state marker  KEYS[10] sla-ladder-new (the SLA
--   timers the ladder has not looked at yet: sla_ladder_sync.lua)
--   ARGV[1] new record  ARGV[2] expected record  ARGV[3] lead_id
--   ARGV[4] max_open  ARGV[5] daily_cap  ARGV[6] daily ttl (s)
--   ARGV[7] new SLA due (ms)  ARGV[8] outbox ms (0 = none)
-- Returns {1, new rep's open leads (0 when already counted), 0} (re-assigned),
-- {0, current record or '', 0} (stale: accepted, closed or re-assigned
-- meanwhile) or {2, '', 0} (the new rep has no capacity).
if redis.call('EXISTS', KEYS[9]) == 0 then
  return redis.error_reply('REBUILDING routing state is being rebuilt')
end
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
redis.call('ZADD', KEYS[10], ARGV[7], ARGV[3])
if tonumber(ARGV[8]) > 0 then redis.call('ZADD', KEYS[8], ARGV[8], ARGV[3]) end
return {1, n, 0}
