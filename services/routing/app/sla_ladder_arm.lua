-- Takes a new SLA timer off the ladder's list (sla_ladder_sync.lua) and arms
-- the lead's ladder entry for it (sla_ladder_store.h): the entry only while
-- the lead's SLA timer is still due at ARGV[2] and it has no entry yet; the
-- list keeps the lead when its timer was restarted since the sync read it.
--   KEYS[1] lf:{routing}:sla-ladder  KEYS[2] lf:{routing}:sla  KEYS[3] state marker
--   KEYS[4] lf:{routing}:sla-ladder-new
--   ARGV[1] lead_id  ARGV[2] SLA timer due seen (ms)
--   ARGV[3] the reminder's due (ms), or 0 when nothing is pending
-- Returns 1 when armed, 0 when nothing is pending, the timer moved or another
-- replica armed it.
if redis.call('EXISTS', KEYS[3]) == 0 then
  return redis.error_reply('REBUILDING routing state is being rebuilt')
end
local seen = tonumber(ARGV[2])
local listed = redis.call('ZSCORE', KEYS[4], ARGV[1])
if listed and tonumber(listed) == seen then redis.call('ZREM', KEYS[4], ARGV[1]) end
if tonumber(ARGV[3]) <= 0 then return 0 end
local due = redis.call('ZSCORE', KEYS[2], ARGV[1])
if (not due) or tonumber(due) ~= seen then return 0 end
return redis.call('ZADD', KEYS[1], 'NX', ARGV[3], ARGV[1])
