-- Exits an active enrolment (enrolments.h, Enrolments::Exit): its next touch
-- leaves the schedule and it ends (end_enrolment); includes end_enrolment.lua.
--   KEYS[1] enrol:<eid>  KEYS[2] lf:{nurture}:due  KEYS[3] req:<eid>
--   KEYS[4] sent-list:<eid>  KEYS[5] lead:<lead>  KEYS[6] contact:<contact>
--   KEYS[7] account:<key>  KEYS[8] contact-email:<email>
--   ARGV[1] exit reason  ARGV[2] enrolment id  ARGV[3] email known (0/1)
--   ARGV[4] ended enrolment TTL (s)  ARGV[5] index TTL (s)
-- Returns 1 when it exited the enrolment, 0 when the enrolment was not active.
-- @include nurture/app/end_enrolment.lua
local cur = redis.call('HMGET', KEYS[1], 'state', 'next_step')
if cur[1] ~= 'ACTIVE_ENROLMENT' then return 0 end
redis.call('HSET', KEYS[1], 'state', 'EXITED', 'exit_reason', ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[2] .. ':' .. cur[2])
end_enrolment({enrol = KEYS[1], req = KEYS[3], list = KEYS[4], lead = KEYS[5], contact = KEYS[6],
               account = KEYS[7], email = ARGV[3] == '1' and KEYS[8] or nil},
              ARGV[2], ARGV[4], ARGV[5])
return 1
