-- Defers several in-flight touches (touch_ledger.h, TouchLedger::DeferMany);
-- includes chunks.lua. Strides come from C++: ARGV[1] keys per touch (1),
-- ARGV[2] arguments per touch (3).
--   KEYS[1] lf:{nurture}:due  KEYS[2] lf:{nurture}:inflight
--   then per touch, from KEYS[3]: enrol:<eid>
--   ARGV[1] keys per touch  ARGV[2] arguments per touch
--   then per touch, from ARGV[3]: step, touch id, due ms
-- Each touch goes back to the due set at its due ms (one ZADD and one HDEL for
-- all); its enrolment's next_due_ms follows when it is still active at that
-- step. Returns per touch 1 when the enrolment followed, else 0, or an error
-- of its own.
-- @include nurture/app/chunks.lua
local nk, na = tonumber(ARGV[1]), tonumber(ARGV[2])
local followed, touches, due = {}, {}, {}
for i = 0, (#KEYS - 2) / nk - 1 do
  local enrol, a = KEYS[3 + nk * i], 2 + na * i
  local step, touch, due_ms = ARGV[a + 1], ARGV[a + 2], ARGV[a + 3]
  touches[#touches + 1] = touch
  due[#due + 1] = due_ms
  due[#due + 1] = touch
  local ok, res = pcall(function()
    local cur = redis.call('HMGET', enrol, 'state', 'next_step')
    if cur[1] ~= 'ACTIVE_ENROLMENT' or cur[2] ~= step then return 0 end
    redis.call('HSET', enrol, 'next_due_ms', due_ms)
    return 1
  end)
  followed[i + 1] = ok and res or {err = tostring(res.err or res)}
end
each_chunk(due, function(...) redis.call('ZADD', KEYS[1], ...) end)
each_chunk(touches, function(...) redis.call('HDEL', KEYS[2], ...) end)
return followed
