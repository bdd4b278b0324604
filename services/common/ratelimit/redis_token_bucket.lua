-- Takes one token from a token bucket shared by every replica (docs/state.md,
-- "Intake": rate:<source>; docs/security.md, "Rate limits"). The bucket
-- refills by the time elapsed on the Redis server's clock (TIME), never the
-- caller's, so replicas with skewed clocks agree; a server clock that steps
-- back mints nothing.
--
-- KEYS[1]  the bucket, a hash {tokens, ts}      e.g. lf:{intake}:rate:<source>
-- ARGV[1]  rate: tokens added per second (> 0)
-- ARGV[2]  burst: the most tokens the bucket holds (>= 1)
-- ARGV[3]  TTL of the bucket in milliseconds (a few seconds past the time a
--          full refill takes, so an idle bucket's key goes away; a missing
--          bucket starts full, which is what it would have refilled to)
--
-- Returns 1 when a token was taken, 0 when the bucket is empty.
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local ttl_ms = tonumber(ARGV[3])
if not rate or rate <= 0 or not burst or burst < 1 or not ttl_ms or ttl_ms < 1 then
  return redis.error_reply('ERR token bucket: bad rate, burst or ttl')
end

local t = redis.call('TIME')
local now_us = tonumber(t[1]) * 1000000 + tonumber(t[2])

local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil or ts == nil then
  tokens = burst
  ts = now_us
end
if now_us > ts then
  tokens = tokens + rate * (now_us - ts) / 1000000
  ts = now_us
end
-- A lowered burst (config reload) applies at once.
if tokens > burst then
  tokens = burst
end

local taken = 0
if tokens >= 1 then
  tokens = tokens - 1
  taken = 1
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'ts',
           string.format('%.0f', ts))
redis.call('PEXPIRE', KEYS[1], ttl_ms)
return taken
