-- Claims one due touch for the scheduler (touch_ledger.h, TouchLedger::ClaimTouch).
--   KEYS[1] lf:{nurture}:due  KEYS[2] lf:{nurture}:inflight
--   ARGV[1] touch id  ARGV[2] now (ms)
-- Returns 1 when the touch moved from the due set to the in-flight hash, 0
-- when it is not due (yet) or another poller took it.
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score or tonumber(score) > tonumber(ARGV[2]) then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], score)
return 1
