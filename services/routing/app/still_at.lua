-- Included by the timer and SLA ladder scripts that act only while a lead's
-- entry in a zset is still what the caller read (a timer still due at that
-- time, a ladder entry still that lease):
--   still_at(zset, member, score) is true when ZSCORE zset member == score.
local function still_at(zset, member, score)
  local cur = redis.call('ZSCORE', zset, member)
  return cur ~= false and tonumber(cur) == tonumber(score)
end
