-- The SLA timers new to the ladder (one read per scheduler tick;
-- sla_ladder_store.h, docs/state.md): the claim and re-assignment scripts add
-- each timer they start to lf:{routing}:sla-ladder-new, and Arm() takes it
-- out, so a tick reads only the timers started since the last one. After
-- routing's state was rebuilt (a new state marker) every restored timer is
-- new to the ladder once. Refuses while routing's state is being rebuilt.
--   KEYS[1] lf:{routing}:sla              zset lead_id -> SLA timer due (ms)
--   KEYS[2] lf:{routing}:sla-ladder       zset lead_id -> next step due (ms)
--   KEYS[3] lf:{routing}:state            the state marker
--   KEYS[4] lf:{routing}:sla-ladder-new   zset lead_id -> SLA timer due (ms)
--   KEYS[5] lf:{routing}:sla-ladder-epoch the state marker the ladder last
--                                         took every timer from
--   ARGV[1] at most this many timers are returned
-- Returns up to ARGV[1] new timers, earliest first, as a flat list lead_id,
-- timer due.
local state = redis.call('GET', KEYS[3])
if not state then
  return redis.error_reply('REBUILDING routing state is being rebuilt')
end
if redis.call('GET', KEYS[5]) ~= state then
  -- Entries below 0 are the "nothing pending" markers an older scheduler kept.
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(0')
  redis.call('ZUNIONSTORE', KEYS[4], 2, KEYS[4], KEYS[1], 'AGGREGATE', 'MAX')
  redis.call('SET', KEYS[5], state)
end
return redis.call('ZRANGE', KEYS[4], 0, tonumber(ARGV[1]) - 1, 'WITHSCORES')
