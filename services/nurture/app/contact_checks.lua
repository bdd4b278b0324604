-- What the checks before a touch read of its contact (touch_checks.h,
-- TouchChecks::LoadContactChecks); includes chunks.lua. The stride comes
-- from C++: ARGV[1] arguments per contact (4); each contact has 1 + n keys.
--   KEYS[1] lf:{nurture}:unsub
--   then per contact: sends:<contact>, then its n suppressed:<account> sets
--   ARGV[1] arguments per contact
--   then per contact, from ARGV[2]: contact id, topic, sends score min
--   (exclusive, "(ms"), n
-- Returns per contact {unsubscribed 0/1, suppressed 0/1, sends WITHSCORES},
-- or an error of its own. One SMISMEMBER for every contact; the suppression
-- sets are only read when one of them exists.
-- @include nurture/app/chunks.lua
local na = tonumber(ARGV[1])
local queries, contacts, supp = {}, {}, {}
local k, a = 2, 2
while a <= #ARGV do
  local q = {sends = KEYS[k], topic = ARGV[a + 1], min = ARGV[a + 2], sets = {}}
  contacts[#contacts + 1] = ARGV[a]
  k = k + 1
  for j = 1, tonumber(ARGV[a + 3]) do
    q.sets[j] = KEYS[k]
    supp[#supp + 1] = KEYS[k]
    k = k + 1
  end
  queries[#queries + 1] = q
  a = a + na
end
if #queries == 0 then return {} end
local unsub, existing = {}, 0
each_chunk(contacts, function(...)
  for _, v in ipairs(redis.call('SMISMEMBER', KEYS[1], ...)) do unsub[#unsub + 1] = v end
end)
each_chunk(supp, function(...) existing = existing + redis.call('EXISTS', ...) end)
local any_suppressed = existing > 0
local out = {}
for i, q in ipairs(queries) do
  local ok, res = pcall(function()
    local suppressed = 0
    if any_suppressed then
      for _, set in ipairs(q.sets) do
        if redis.call('SISMEMBER', set, q.topic) == 1 then suppressed = 1 end
      end
    end
    return {unsub[i], suppressed, redis.call('ZRANGEBYSCORE', q.sends, q.min, '+inf', 'WITHSCORES')}
  end)
  out[i] = ok and res or {err = tostring(res.err or res)}
end
return out
