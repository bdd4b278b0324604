-- Arms the SLA ladder entry of a lead the sync found (sla_ladder_store.h):
-- only while the lead's SLA timer is still due at ARGV[2] and it has no entry.
--   KEYS[1] lf:{routing}:sla-ladder  KEYS[2] lf:{routing}:sla  KEYS[3] state marker
--   ARGV[1] lead_id  ARGV[2] SLA timer due seen (ms)
--   ARGV[3] the entry's score: the reminder's due (ms), or -(timer due)
-- Returns 1 when armed, 0 when the timer moved or another replica armed it.
if redis.call('EXISTS', KEYS[3]) == 0 then
  return redis.error_reply('REBUILDING routing state is being rebuilt')
end
local due = redis.call('ZSCORE', KEYS[2], ARGV[1])
if (not due) or tonumber(due) ~= tonumber(ARGV[2]) then return 0 end
return redis.call('ZADD', KEYS[1], 'NX', ARGV[3], ARGV[1])
