-- Links a contact to its newest accepted lead, the one its engagement
-- rescores (engagement_store.h), and returns its events so far (engagement
-- may precede the lead). Both keys share the hash tag {c:<contact id>}.
--
-- KEYS[1]  the contact's events   lf:scoring:{c:<contact id>}:events
-- KEYS[2]  the contact's lead     lf:scoring:{c:<contact id>}:lead
-- ARGV[1]  the link "<lead id>|<linked at ms>"
-- ARGV[2]  the TTL in seconds (refreshed on the events too, when any)
--
-- Returns the events: ZRANGE 0 -1 WITHSCORES.
redis.call('SET', KEYS[2], ARGV[1], 'EX', ARGV[2])
local events = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
if #events > 0 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return events
