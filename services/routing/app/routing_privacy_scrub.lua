-- Replaces a lead's recorded decision by its scrubbed copy (routing_privacy.h,
-- docs/privacy.md) only while it is still the one the caller read
-- (compare-and-swap), keeping its TTL.
--   KEYS[1] decision:<lead>
--   ARGV[1] expected bytes  ARGV[2] new bytes
-- Returns 1 when replaced, 0 when the record changed meanwhile.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
return 1
