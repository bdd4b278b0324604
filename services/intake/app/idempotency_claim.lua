-- Claims idempotency keys for a batch of submissions, in order
-- (idempotency_store.h): SET NX EX, so the first submission with a key wins;
-- a won claim that names its contact is also listed in the contact's index
-- (contact_index.h), so that an erasure finds every claim that exists. A
-- claim won but not indexed is given up again. Every key is under the
-- {intake} hash tag (one slot).
--
-- ARGV[1]  keys per claim (2)      ARGV[2]  arguments per claim (3)
-- Then per claim i (0-based), from KEYS[1 + ARGV[1] * i] and ARGV[3 + ARGV[2] * i]:
--   KEYS  +0  the claim                 lf:{intake}:idem:<key>
--         +1  its contact's index       lf:{intake}:contact:<contact id>
--   ARGV  +0  the value to store ("<lead id>|<origin token>")
--         +1  the TTL in seconds (the dedupe window)
--         +2  the index member (the idempotency key; "" = not indexed)
--
-- Returns per claim {1, value} (won; indexed, the index's TTL refreshed to
-- the claim's), {0, holder} (held by someone else), or an error reply for
-- that claim alone.
local function claim(idem, index, value, ttl, member)
  if not redis.call('SET', idem, value, 'NX', 'EX', ttl) then
    return {0, redis.call('GET', idem) or ''}
  end
  if member ~= '' then
    local ok, e = pcall(function()
      redis.call('SADD', index, member)
      redis.call('EXPIRE', index, ttl)
    end)
    if not ok then
      redis.call('DEL', idem)
      error(e)
    end
  end
  return {1, value}
end
-- A claim that failed in Redis fails alone, as an error reply.
local function reply_of(ok, r)
  if ok or (type(r) == 'table' and r.err) then return r end
  return {err = tostring(r)}
end
local nkeys, nargs = tonumber(ARGV[1]), tonumber(ARGV[2])
local out = {}
for i = 0, #KEYS / nkeys - 1 do
  local k, a = nkeys * i, 2 + nargs * i
  out[i + 1] = reply_of(pcall(claim, KEYS[k + 1], KEYS[k + 2], ARGV[a + 1], ARGV[a + 2],
                              ARGV[a + 3]))
end
return out
