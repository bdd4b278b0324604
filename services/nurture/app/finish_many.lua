-- Finishes several touches (touch_ledger.h, TouchLedger::FinishMany); includes
-- chunks.lua and end_enrolment.lua. Strides come from C++: ARGV[1] keys
-- per touch (9), ARGV[2] arguments per touch (9).
--   KEYS[1] lf:{nurture}:due  KEYS[2] lf:{nurture}:inflight
--   then per touch, from KEYS[3]: enrol:<eid>, sent-list:<eid>, sent:<touch>,
--   sends:<contact>, req:<eid>, lead:<lead>, contact:<contact>, account:<key>,
--   contact-email:<email>
--   ARGV[1] keys per touch  ARGV[2] arguments per touch  ARGV[3] a week (ms)
--   ARGV[4] sent marker TTL (s)  ARGV[5] ended enrolment TTL (s)  ARGV[6] index TTL (s)
--   then per touch, from ARGV[7]: expected step, touch id, sent (0/1), sent ms,
--   next touch id, next due ms, enrolment id, email known (0/1), the touch's
--   member in the contact's sends
-- Returns per touch 1 when its enrolment advanced, else 0, or an error of its
-- own (that touch stays in flight). A touch without a next one completes its
-- enrolment, which ends (end_enrolment). One HDEL of the in-flight hash and
-- one ZADD of the due set for all of them.
-- @include nurture/app/chunks.lua
-- @include nurture/app/end_enrolment.lua
local nk, na = tonumber(ARGV[1]), tonumber(ARGV[2])
local advanced, touches, due = {}, {}, {}
for i = 0, (#KEYS - 2) / nk - 1 do
  local b = 3 + nk * i
  local enrol, list, marker, sends = KEYS[b], KEYS[b + 1], KEYS[b + 2], KEYS[b + 3]
  local a = 7 + na * i
  local step, touch, sent, sent_ms, next_touch, next_due, eid, has_email, member =
    ARGV[a], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4], ARGV[a + 5], ARGV[a + 6],
    ARGV[a + 7], ARGV[a + 8]
  local ok, res = pcall(function()
    if sent == '1' then
      redis.call('SET', marker, '1', 'EX', ARGV[4])
      redis.call('ZADD', sends, sent_ms, member)
      redis.call('ZREMRANGEBYSCORE', sends, '-inf', tonumber(sent_ms) - tonumber(ARGV[3]))
      redis.call('EXPIRE', sends, 1209600)
    end
    local cur = redis.call('HMGET', enrol, 'state', 'next_step')
    if cur[1] ~= 'ACTIVE_ENROLMENT' or cur[2] ~= step then return 0 end
    if sent == '1' then redis.call('RPUSH', list, touch) end
    local next_step = tonumber(step) + 1
    if next_touch == '' then
      redis.call('HSET', enrol, 'next_step', next_step, 'state', 'COMPLETED', 'next_due_ms', '0')
      end_enrolment({enrol = enrol, list = list, req = KEYS[b + 4], lead = KEYS[b + 5],
                     contact = KEYS[b + 6], account = KEYS[b + 7],
                     email = has_email == '1' and KEYS[b + 8] or nil}, eid, ARGV[5], ARGV[6])
    else
      redis.call('HSET', enrol, 'next_step', next_step, 'next_due_ms', next_due)
      due[#due + 1] = next_due
      due[#due + 1] = next_touch
    end
    return 1
  end)
  if ok then
    advanced[i + 1] = res
    touches[#touches + 1] = touch
  else
    advanced[i + 1] = {err = tostring(res.err or res)}  -- stays in flight: Recover()
  end
end
each_chunk(touches, function(...) redis.call('HDEL', KEYS[2], ...) end)
each_chunk(due, function(...) redis.call('ZADD', KEYS[1], ...) end)
return advanced
