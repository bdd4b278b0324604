-- Claims the escalation of an assignment at its SLA deadline for one replica
-- (sla_ladder_store.h): only while the lead's SLA timer is still due at the
-- deadline ARGV[2], the timer moves to the grace end ARGV[3] (where the lead
-- is re-assigned) and the ladder entry becomes the lease ARGV[4] (a crash
-- before the escalation is published lets any replica publish it then).
--   KEYS[1] lf:{routing}:sla  KEYS[2] lf:{routing}:sla-ladder  KEYS[3] state marker
--   ARGV[1] lead_id  ARGV[2] deadline (ms)  ARGV[3] grace end (ms, > deadline)
--   ARGV[4] lease until (ms)
-- Returns 1 when claimed, 0 when the timer moved (another replica, accepted).
-- @include routing/app/still_at.lua
if redis.call('EXISTS', KEYS[3]) == 0 then
  return redis.error_reply('REBUILDING routing state is being rebuilt')
end
if not still_at(KEYS[1], ARGV[1], ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
return 1
