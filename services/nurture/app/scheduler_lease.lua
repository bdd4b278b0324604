-- Holds the scheduler lease for one replica (scheduler_lease.h).
--   KEYS[1] lf:{nurture}:scheduler-lease
--   ARGV[1] owner (instance id)  ARGV[2] TTL (ms)
-- Returns 1 when ARGV[1] holds the lease now (renewed, or taken because it was
-- free), 0 when another owner holds it.
local cur = redis.call('GET', KEYS[1])
if cur == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if not cur then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0
