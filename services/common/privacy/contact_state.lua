-- A service's privacy state of a batch of contacts (contact_state.h), one item
-- per contact, the items back to back.
--   per item i: KEYS[2i-1] the contact's withdrawn marker (unix ms)
--               KEYS[2i]   the contact's leads index (a set of lead ids)
--   ARGV[1] mode: see | withdraw | read | tombstone
--   ARGV[2] ttl seconds of both keys
--   per item i: ARGV[2i+1] ms (see: the lead's first submission; withdraw and
--               tombstone: the withdrawal or erasure time), ARGV[2i+2] lead id
--               (see only; '' otherwise)
-- Returns per item the contact's withdrawal ms after the call (0 = none), or
-- an error reply for an item that failed; the other items still run.
--   see:       indexes the lead; a lead first submitted after the withdrawal
--              carries new consent, so the marker is cleared (returns 0)
--   withdraw:  the later time wins
--   tombstone: as withdraw, and the leads index is dropped (erasure)
--   read:      changes nothing
local mode, ttl = ARGV[1], ARGV[2]
local function one(wk, lk, arg_ms, lead)
  local w = tonumber(redis.call('GET', wk) or '0') or 0
  local ms = tonumber(arg_ms)
  if mode == 'see' then
    redis.call('SADD', lk, lead)
    redis.call('EXPIRE', lk, ttl)
    if w > 0 and ms > w then
      redis.call('DEL', wk)
      return 0
    end
    return w
  elseif mode == 'withdraw' or mode == 'tombstone' then
    if mode == 'tombstone' then redis.call('DEL', lk) end
    if ms > w then
      redis.call('SET', wk, arg_ms, 'EX', ttl)
      return ms
    end
    redis.call('EXPIRE', wk, ttl)
    return w
  end
  return w
end
-- @include common/redis/per_item.lua
return per_item(#KEYS / 2, function(i)
  return one(KEYS[2 * i - 1], KEYS[2 * i], ARGV[2 * i + 1], ARGV[2 * i + 2])
end)
