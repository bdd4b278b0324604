-- Replaces a rep's out-of-office windows (out_of_office_store.h) unless a
-- later change is already stored, so a slow consumer of reps.out-of-office
-- never undoes a newer SetRepOutOfOffice.
--   KEYS[1] lf:{routing}:out-of-office (hash rep -> "<at_ms>|<windows>")
--   KEYS[2] routing's state marker
--   ARGV[1] rep_id  ARGV[2] at_ms (when the change was set)
--   ARGV[3] the windows, "<start>-<end>,..." in unix ms ("" clears them)
-- Returns 1 when applied, 0 when a later change, or this very one, is stored
-- (SetRepOutOfOffice applies its change, then routing consumes its own record).
if redis.call('EXISTS', KEYS[2]) == 0 then
  return redis.error_reply('REBUILDING routing state is being rebuilt')
end
local cur = redis.call('HGET', KEYS[1], ARGV[1])
local value = ARGV[2] .. '|' .. ARGV[3]
if cur == value then return 0 end
if cur then
  local cur_at = tonumber(string.match(cur, '^(%d+)|'))
  if cur_at and cur_at > tonumber(ARGV[2]) then return 0 end
end
redis.call('HSET', KEYS[1], ARGV[1], value)
return 1
