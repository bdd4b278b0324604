-- Stores a lead's latest score unless a newer revision is stored
-- (score_store.h): a redelivered revision 1 never overwrites a later rescore,
-- and storing the same revision again is harmless.
--
-- KEYS[1]  the lead's score   lf:scoring:{l:<lead id>}:score (hash: rev, score)
-- ARGV[1]  the revision       ARGV[2]  the LeadScored bytes
-- ARGV[3]  the TTL in seconds
--
-- Returns 1 when stored, 0 when a newer revision is kept.
local cur = tonumber(redis.call('HGET', KEYS[1], 'rev') or '0')
if tonumber(ARGV[1]) < cur then return 0 end
redis.call('HSET', KEYS[1], 'rev', ARGV[1], 'score', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
