-- Takes new SLA timers off the ladder's list (sla_ladder_sync.lua) and arms
-- the leads' ladder entries for them (sla_ladder_store.h), a tick's timers in
-- one call: an entry only while the lead's SLA timer is still due when the
-- sync read it and it has no entry yet; the list keeps a lead whose timer was
-- restarted since.
--   KEYS[1] lf:{routing}:sla-ladder  KEYS[2] lf:{routing}:sla  KEYS[3] state marker
--   KEYS[4] lf:{routing}:sla-ladder-new
--   ARGV, three per timer: lead_id, the SLA timer due seen (ms), the
--   reminder's due (ms; 0 when nothing is pending)
-- Returns how many entries were armed; a REBUILDING error while routing's
-- state is being rebuilt.
if redis.call('EXISTS', KEYS[3]) == 0 then
  return redis.error_reply('REBUILDING routing state is being rebuilt')
end
local armed = 0
for i = 1, #ARGV, 3 do
  local lead, seen, remind = ARGV[i], tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2])
  local listed = redis.call('ZSCORE', KEYS[4], lead)
  if listed and tonumber(listed) == seen then redis.call('ZREM', KEYS[4], lead) end
  if remind > 0 then
    local due = redis.call('ZSCORE', KEYS[2], lead)
    if due and tonumber(due) == seen then
      armed = armed + redis.call('ZADD', KEYS[1], 'NX', remind, lead)
    end
  end
end
return armed
