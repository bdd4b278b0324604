-- Finishes a claimed SLA ladder step (sla_ladder_store.h): only while the
-- lead's entry is still the lease ARGV[2], it becomes -(SLA timer due), the
-- marker "nothing pending for this timer" (removed when there is no timer).
--   KEYS[1] lf:{routing}:sla-ladder  KEYS[2] lf:{routing}:sla  KEYS[3] state marker
--   ARGV[1] lead_id  ARGV[2] the lease (ms)
-- Returns 1 when this call finished the step, 0 when the lease was lost.
if redis.call('EXISTS', KEYS[3]) == 0 then
  return redis.error_reply('REBUILDING routing state is being rebuilt')
end
local cur = redis.call('ZSCORE', KEYS[1], ARGV[1])
if (not cur) or tonumber(cur) ~= tonumber(ARGV[2]) then return 0 end
local due = redis.call('ZSCORE', KEYS[2], ARGV[1])
if due then redis.call('ZADD', KEYS[1], -tonumber(due), ARGV[1])
else redis.call('ZREM', KEYS[1], ARGV[1]) end
return 1
