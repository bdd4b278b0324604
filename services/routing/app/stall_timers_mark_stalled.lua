-- Records the stall of a deal's stage (stall_timers.h): only while its stall
-- timer is still due at ARGV[2] and the stage is still the one entered at
-- ARGV[3]; stops the timer and sets the feedback's stalled version.
--   KEYS[1] lf:{routing}:stalls  KEYS[2] lf:{routing}:fb:<lead>
--   KEYS[3] state marker
--   ARGV[1] lead_id  ARGV[2] due (ms)  ARGV[3] stage version
--   ARGV[4] stall version
-- Returns 1 when the stall was recorded, 0 when the timer or the stage
-- changed; a REBUILDING error while routing's state is being rebuilt.
-- @include routing/app/still_at.lua
if redis.call('EXISTS', KEYS[3]) == 0 then
  return redis.error_reply('REBUILDING routing state is being rebuilt')
end
if not still_at(KEYS[1], ARGV[1], ARGV[2]) then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
if tonumber(redis.call('HGET', KEYS[2], 'stage_ver') or '0') ~= tonumber(ARGV[3]) then
  return 0
end
redis.call('HSET', KEYS[2], 'stalled', ARGV[4])
return 1
