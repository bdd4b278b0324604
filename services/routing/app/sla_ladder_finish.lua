-- Finishes a claimed SLA ladder step (sla_ladder_store.h): only while the
-- lead's entry is still the lease ARGV[2], the entry goes (the next step, if
-- any, is armed by its own timer: the escalation's claim or a new timer).
--   KEYS[1] lf:{routing}:sla-ladder  KEYS[2] state marker
--   ARGV[1] lead_id  ARGV[2] the lease (ms)
-- Returns 1 when this call finished the step, 0 when the lease was lost.
-- @include routing/app/still_at.lua
if redis.call('EXISTS', KEYS[2]) == 0 then
  return redis.error_reply('REBUILDING routing state is being rebuilt')
end
if not still_at(KEYS[1], ARGV[1], ARGV[2]) then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
return 1
