-- Claims the touches due now (touch_ledger.h, TouchLedger::ClaimDue); includes
-- chunks.lua. One ZREM and one HSET for all of them.
--   KEYS[1] lf:{nurture}:due  KEYS[2] lf:{nurture}:inflight
--   ARGV[1] now (ms)  ARGV[2] limit
-- Returns the claimed touch ids, earliest first.
-- @include nurture/app/chunks.lua
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0, ARGV[2])
if #due == 0 then return {} end
local ids = {}
for i = 1, #due, 2 do ids[#ids + 1] = due[i] end
each_chunk(ids, function(...) redis.call('ZREM', KEYS[1], ...) end)
each_chunk(due, function(...) redis.call('HSET', KEYS[2], ...) end)
return ids
