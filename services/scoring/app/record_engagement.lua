-- Records one engagement event of a contact (engagement_store.h), idempotent
-- by event id (ZADD NX), keeps the contact's newest ARGV[3] events, and
-- returns the contact's state: whether the event is new, the lead the
-- contact is linked to, and all its kept events. Both keys share the hash
-- tag {c:<contact id>} (one slot).
--
-- KEYS[1]  the contact's events   lf:scoring:{c:<contact id>}:events
--                                 (ZSET "<event id>|<type>" scored by occurred_at ms)
-- KEYS[2]  the contact's lead     lf:scoring:{c:<contact id>}:lead ("<lead id>|<linked at ms>")
-- ARGV[1]  occurred_at (ms)       ARGV[2]  the member "<event id>|<type>"
-- ARGV[3]  max events kept        ARGV[4]  the TTL in seconds
--
-- Returns {added (1 or 0), the lead value or '', ZRANGE 0 -1 WITHSCORES}.
local added = redis.call('ZADD', KEYS[1], 'NX', ARGV[1], ARGV[2])
local max = tonumber(ARGV[3])
local all = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
local n = #all / 2
if n > max then
  -- Keep the newest max: drop the oldest from the set and from the reply.
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, n - max - 1)
  local kept = {}
  for i = 2 * (n - max) + 1, #all do kept[#kept + 1] = all[i] end
  all = kept
end
redis.call('EXPIRE', KEYS[1], ARGV[4])
local lead = redis.call('GET', KEYS[2])
return {added, lead or '', all}
