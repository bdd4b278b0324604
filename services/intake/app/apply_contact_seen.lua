-- Applies one accounts.contacts record (intake.v1.AccountContactSeen, keyed
-- "<account>|<contact>") to intake's coverage view (the contacts seen on each
-- account's leads, account_contact_store.h; docs/state.md) and moves the
-- view's position past it, in one atomic step (see common/view/topic_view.h).
-- This rebuilds `cov:<account>` and the partial-coverage index after a Redis
-- loss over the whole coverage window, and keeps the index live.
--
-- KEYS[1]  the view's position hash        lf:{intake}:view:coverage:pos
-- KEYS[2]  the account's contacts          lf:{intake}:cov:<account>
-- KEYS[3]  the partial-coverage index of the lead's relationship
--                                          lf:{intake}:cov-partial:<CUSTOMER|PROSPECT>
-- KEYS[4]  the other relationship's index  (an account may change sides)
--          KEYS[2..4] absent: the record only moves the position (a record
--          older than the window, or one that names no account)
--          KEYS[2] alone: a tombstone (privacy erasure): the contact is
--          removed from the account (ARGV[4])
-- ARGV[1]  the epoch of the caller's build
-- ARGV[2]  the partition's field, "p<N>"
-- ARGV[3]  the record's offset
-- ARGV[4]  the contact id
-- ARGV[5]  its value (buyer class digit, decision role digit)
-- ARGV[6]  the lead's time, unix seconds (the record's seen_at)
-- ARGV[7]  the key's TTL in seconds: what is left of the window from now
-- ARGV[8]  when the lead's window ends, unix seconds (ARGV[6] + the window):
--          the account's score in the index, so that a count trims it then
-- ARGV[9]  "1" when the lead's coverage was partial, "0" when complete
-- ARGV[10] the account key (the index member)
--
-- The hash's field "_t" holds the time of the newest lead applied: an older
-- lead (another partition, applied later) adds its contact if absent but
-- changes neither a known contact's class nor the index. The hash's summary
-- of its contacts ("_s", "_n", "_c1".."_c3", "_dm") is kept with every write
-- (coverage_summary.lua).
--
-- Returns  1 applied
--          0 already applied (the view's position is past this offset)
--         -1 the view is no longer at ARGV[1] (Redis was reset): rebuild
-- @include common/view/view_gate.lua
-- @include intake/app/coverage_summary.lua
local offset = tonumber(ARGV[3])
local gate = view_gate(KEYS[1], ARGV[1], ARGV[2], offset + 1)
if gate then
  return gate
end
-- The position first: a write Redis refuses when out of memory leaves
-- everything as it was, and the caller retries the record.
redis.call('HSET', KEYS[1], ARGV[2], offset + 1)
if #KEYS == 2 then
  cov_del(KEYS[2], ARGV[4])
  return 1
end
if #KEYS < 4 then
  return 1
end
local at = tonumber(ARGV[6])
local newest = tonumber(redis.call('HGET', KEYS[2], '_t') or '0')
if at >= newest then
  cov_set(KEYS[2], ARGV[4], ARGV[5])
  if redis.call('HSET', KEYS[2], '_t', ARGV[6]) == 1 then
    cov_seal(KEYS[2])
  end
  if ARGV[9] == '1' then
    redis.call('ZADD', KEYS[3], ARGV[8], ARGV[10])
  else
    redis.call('ZREM', KEYS[3], ARGV[10])
  end
  redis.call('ZREM', KEYS[4], ARGV[10])
else
  cov_setnx(KEYS[2], ARGV[4], ARGV[5])
end
if redis.call('TTL', KEYS[2]) < tonumber(ARGV[7]) then
  redis.call('EXPIRE', KEYS[2], ARGV[7])
end
return 1
