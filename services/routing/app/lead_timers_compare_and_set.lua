-- Moves or stops one lead's timer only while it is still due when the caller
-- read it (lead_timers.h: the SLA timers and the stall timers).
--   KEYS[1] the timers' zset (lf:{routing}:sla or lf:{routing}:stalls)
--   KEYS[2] state marker
--   ARGV[1] lead_id  ARGV[2] expected due (ms)  ARGV[3] new due (ms; 0 = stop)
-- Returns 1 when changed, 0 when the timer is gone or was re-armed meanwhile;
-- a REBUILDING error while routing's state is being rebuilt.
-- @include routing/app/still_at.lua
if redis.call('EXISTS', KEYS[2]) == 0 then
  return redis.error_reply('REBUILDING routing state is being rebuilt')
end
if not still_at(KEYS[1], ARGV[1], ARGV[2]) then return 0 end
if tonumber(ARGV[3]) > 0 then redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
else redis.call('ZREM', KEYS[1], ARGV[1]) end
return 1
