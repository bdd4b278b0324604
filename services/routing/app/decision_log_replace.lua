-- Replaces a lead's recorded decision only while it is still the expected
-- one (compare-and-swap; decision_log.h).
--   KEYS[1] lf:{routing}:decision:<lead>  KEYS[2] state marker
--   ARGV[1] expected record  ARGV[2] new record  ARGV[3] ttl seconds (0 = none)
-- Returns 1 when replaced, 0 when the record changed meanwhile; a REBUILDING
-- error while routing's state is being rebuilt.
if redis.call('EXISTS', KEYS[2]) == 0 then
  return redis.error_reply('REBUILDING routing state is being rebuilt')
end
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if tonumber(ARGV[3]) > 0 then redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
else redis.call('SET', KEYS[1], ARGV[2]) end
return 1
