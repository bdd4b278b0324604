-- The SLA ladder's bookkeeping against the running SLA timers (one pass per
-- scheduler tick; sla_ladder_store.h, docs/state.md). Refuses while routing's
-- state is being rebuilt.
--   KEYS[1] lf:{routing}:sla          zset lead_id -> SLA timer due (ms)
--   KEYS[2] lf:{routing}:sla-ladder   zset lead_id -> next step due (ms, > 0)
--                                     or -(SLA timer due) once nothing is
--                                     pending for that timer
--   KEYS[3] lf:{routing}:state        the state marker
--   ARGV[1] at most this many new leads are returned
-- Drops ladder entries whose SLA timer stopped (accepted, closed) or moved
-- since their marker (re-assigned, drained, retried), and returns up to
-- ARGV[1] leads with a running SLA timer and no ladder entry, as a flat list
-- lead_id, timer due.
if redis.call('EXISTS', KEYS[3]) == 0 then
  return redis.error_reply('REBUILDING routing state is being rebuilt')
end
local ladder = redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES')
for i = 1, #ladder, 2 do
  local lead = ladder[i]
  local score = tonumber(ladder[i + 1])
  local due = redis.call('ZSCORE', KEYS[1], lead)
  if (not due) or (score < 0 and -score ~= tonumber(due)) then
    redis.call('ZREM', KEYS[2], lead)
  end
end
local out = {}
local limit = tonumber(ARGV[1])
local timers = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
for i = 1, #timers, 2 do
  if #out >= 2 * limit then break end
  if not redis.call('ZSCORE', KEYS[2], timers[i]) then
    out[#out + 1] = timers[i]
    out[#out + 1] = timers[i + 1]
  end
end
return out
