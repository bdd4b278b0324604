-- Records the contact of a lead intake is accepting in its account's
-- coverage (docs/domain-rules.md §2, "Buying committees"; docs/state.md,
-- `cov:<account>`) and returns the summary of the account's contacts seen on
-- leads, this one included, with what they say of the CRM's contacts of the
-- account, in one atomic step, so that two replicas accepting leads of one
-- account each see the other's contact. O(1 + CRM contacts), whatever the
-- account's size (the hash keeps its summary, coverage_summary.lua; a hash
-- written before the summary existed is summarised once, here).
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
-- ARGV[4..] the ids of the account's CRM contacts (none, for an account
--          without any), neither empty nor starting with "_"
--
-- Returns 0 when the view is not ready; else, after the write, the array
--         {contacts, ECONOMIC contacts, TECHNICAL contacts, END_USER
--         contacts, decision makers, the value of ARGV[4] or nil, the value
--         of ARGV[5] or nil, ...}: the counts as integers, then the stored
--         value of each CRM contact seen on leads (nil when not seen).
-- @include intake/app/coverage_summary.lua
if not redis.call('GET', KEYS[1]) then
  return 0
end
cov_set(KEYS[2], ARGV[1], ARGV[2])
redis.call('EXPIRE', KEYS[2], ARGV[3])
-- The counts, then the CRM contacts' values (unpack last: all of ARGV[4..]).
local got = redis.call('HMGET', KEYS[2], '_n', '_c1', '_c2', '_c3', '_dm', unpack(ARGV, 4))
for i = 1, 5 do
  got[i] = tonumber(got[i])
end
return got
