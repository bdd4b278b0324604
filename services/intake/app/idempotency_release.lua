-- Gives an idempotency claim up iff it still holds the caller's value (after
-- a failed publish, so that the client's retry is not taken for a duplicate;
-- idempotency_store.h).
--
-- KEYS[1]  the claim          lf:{intake}:idem:<key>
-- ARGV[1]  the value the caller stored ("<lead id>|<origin token>")
--
-- Returns 1 when given up, 0 when someone else holds it (or nobody).
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
