-- Claims a due SLA ladder step for one replica (sla_ladder_store.h): only
-- while the lead's entry is still ARGV[2], it becomes the lease ARGV[3] (a
-- crash before the step is finished lets any replica take it again then).
--   KEYS[1] lf:{routing}:sla-ladder  KEYS[2] lf:{routing}:sla  KEYS[3] state marker
--   ARGV[1] lead_id  ARGV[2] expected entry score  ARGV[3] lease until (ms)
-- Returns {1, SLA timer due or ''} when claimed, {0} when another replica
-- claimed it or the entry changed.
-- @include routing/app/still_at.lua
if redis.call('EXISTS', KEYS[3]) == 0 then
  return redis.error_reply('REBUILDING routing state is being rebuilt')
end
if not still_at(KEYS[1], ARGV[1], ARGV[2]) then return {0} end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
local due = redis.call('ZSCORE', KEYS[2], ARGV[1])
return {1, due or ''}
