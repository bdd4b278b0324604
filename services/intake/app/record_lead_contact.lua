-- Records the contact of a lead intake is accepting in its account's
-- coverage (docs/domain-rules.md §2, "Buying committees"; docs/state.md,
-- `cov:<account>`) and returns the account's contacts seen on leads, this one
-- included, in one atomic step, so that two replicas accepting leads of one
-- account each see the other's contact.
--
-- The coverage is a view of accounts.contacts (account_contact_store.h): it is
-- only read while that view is known complete (its ready marker is set).
-- Without the marker nothing is written and the caller retries the lead
-- later: a coverage is never reported from a view that may be missing
-- contacts.
--
-- KEYS[1]  the coverage view's ready marker  lf:{intake}:view:coverage:ready
-- KEYS[2]  the account's contacts            lf:{intake}:cov:<account>
-- ARGV[1]  the contact id ("c-" + 16 hex digits)
-- ARGV[2]  its value: buyer class digit, decision role digit (e.g. "21")
-- ARGV[3]  the key's TTL in seconds (the coverage window)
--
-- Returns 0 when the view is not ready; else the hash after the write as a
--         flat array {field, value, ...} (fields starting with "_" are
--         bookkeeping, not contacts).
if not redis.call('GET', KEYS[1]) then
  return 0
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('EXPIRE', KEYS[2], ARGV[3])
return redis.call('HGETALL', KEYS[2])
