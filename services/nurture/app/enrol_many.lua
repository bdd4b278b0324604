-- Enrols several leads (enrolments.h, Enrolments::EnrolMany); includes
-- chunks.lua. Strides come from C++: ARGV[1] keys per enrolment (6), ARGV[2]
-- arguments per enrolment (12).
--   KEYS[1] lf:{nurture}:due
--   then per enrolment, from KEYS[2]: enrol:<eid>, req:<eid>, contact:<contact>,
--   lead:<lead>, account:<key>, contact-email:<email>
--   ARGV[1] keys per enrolment  ARGV[2] arguments per enrolment
--   then per enrolment, from ARGV[3]: request bytes, contact id, lead id, track id,
--   audience, account key, trace id, enrolled ms, first touch id, first due ms,
--   enrolment id, email
-- Returns per enrolment 1 (created), 0 (it existed: its id is in the lead's
-- index, which outlives the enrolment) or an error of its own. One ZADD of the
-- due set for all. The email lookup is a hash: "contact" -> contact id, and one
-- field per active enrolment (an older string value is replaced).
-- @include nurture/app/chunks.lua
local nk, na = tonumber(ARGV[1]), tonumber(ARGV[2])
local created, due = {}, {}
for i = 0, (#KEYS - 1) / nk - 1 do
  local k, a = 1 + nk * i, 2 + na * i
  local ok, res = pcall(function()
    if redis.call('SISMEMBER', KEYS[k + 4], ARGV[a + 11]) == 1 then return 0 end
    redis.call('HSET', KEYS[k + 1], 'contact_id', ARGV[a + 2], 'lead_id', ARGV[a + 3],
      'track_id', ARGV[a + 4], 'audience', ARGV[a + 5], 'account_key', ARGV[a + 6],
      'trace_id', ARGV[a + 7], 'enrolled_ms', ARGV[a + 8], 'next_step', '0',
      'next_due_ms', ARGV[a + 10], 'state', 'ACTIVE_ENROLMENT', 'exit_reason', '',
      'email', ARGV[a + 12])
    redis.call('SET', KEYS[k + 2], ARGV[a + 1])
    redis.call('SADD', KEYS[k + 3], ARGV[a + 11])
    redis.call('PERSIST', KEYS[k + 3])  -- no TTL while the contact has an active enrolment
    redis.call('SADD', KEYS[k + 4], ARGV[a + 11])
    redis.call('SADD', KEYS[k + 5], ARGV[a + 11])
    if ARGV[a + 12] ~= '' then
      local email = {KEYS[k + 6], 'contact', ARGV[a + 2], ARGV[a + 11], '1'}
      if not pcall(redis.call, 'HSET', unpack(email)) then
        redis.call('DEL', KEYS[k + 6])
        redis.call('HSET', unpack(email))
      end
    end
    return 1
  end)
  if not ok then
    created[i + 1] = {err = tostring(res.err or res)}
  else
    created[i + 1] = res
    if res == 1 then
      due[#due + 1] = ARGV[a + 10]
      due[#due + 1] = ARGV[a + 9]
    end
  end
end
each_chunk(due, function(...) redis.call('ZADD', KEYS[1], ...) end)
return created
