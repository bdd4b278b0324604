-- Applies one accounts.changes record to a service's registry view and moves
-- the view's position past it, in one atomic step (see
-- common/view/topic_view.h and docs/architecture.md, "State").
--
-- KEYS[1]             the view's position hash   lf:{<ns>}:view:accounts:pos
-- KEYS[2]             the account's record       lf:{<ns>}:acct:<account_key>
-- KEYS[3]             the set of account keys    lf:{<ns>}:accts
-- KEYS[4 .. 3+n_old]  the index keys of the record being replaced
--                     (acct-email:, acct-domain:, acct-inn:); each is deleted
--                     only while it still points at this account
-- KEYS[4+n_old ..]    the index keys of the new record, set to the account key
-- ARGV[1]  the epoch of the caller's build
-- ARGV[2]  the partition's field, "p<N>"
-- ARGV[3]  the record's offset
-- ARGV[4]  the record bytes the caller read ("" = none); the old index keys
--          were computed from them
-- ARGV[5]  n_old
-- ARGV[6]  the new record bytes; "" removes the account
-- ARGV[7]  the account key
--
-- Returns  1 applied
--          0 already applied (the view's position is past this offset)
--         -1 the view is no longer at ARGV[1] (Redis was reset): rebuild
--         -2 the record changed since the caller read it: read again
-- @include common/view/view_gate.lua
local offset = tonumber(ARGV[3])
local gate = view_gate(KEYS[1], ARGV[1], ARGV[2], offset + 1)
if gate then
  return gate
end
if (redis.call('GET', KEYS[2]) or '') ~= ARGV[4] then
  return -2
end
-- The position first: it is a write Redis refuses when it is out of memory
-- (noeviction), so a refused write leaves everything as it was, and the
-- caller retries the record.
redis.call('HSET', KEYS[1], ARGV[2], offset + 1)
local account = ARGV[7]
local n_old = tonumber(ARGV[5])
for i = 4, 3 + n_old do
  if redis.call('GET', KEYS[i]) == account then
    redis.call('DEL', KEYS[i])
  end
end
if ARGV[6] == '' then
  redis.call('DEL', KEYS[2])
  redis.call('SREM', KEYS[3], account)
else
  redis.call('SET', KEYS[2], ARGV[6])
  redis.call('SADD', KEYS[3], account)
  for i = 4 + n_old, #KEYS do
    redis.call('SET', KEYS[i], account)
  end
end
return 1
