-- Included by the scripts that end an enrolment (completed or exited): what
-- it keeps afterwards and for how long (nurture_keys.h, docs/state.md). The
-- lead's body goes; the enrolment (ids and its outcome) and its sent list
-- expire after `ended_ttl`; the lead index after `index_ttl`; the enrolment
-- leaves the account index and the email lookup, which is deleted with the
-- email's last active enrolment; the contact index then expires after
-- `ended_ttl` too (after `index_ttl` while another enrolment of the contact
-- may still be active, or when that cannot be told). An email lookup of the
-- older string form is left as it is.
--   end_enrolment(k, eid, ended_ttl, index_ttl)
--   k: the keys enrol, req, list (sent list), lead, contact, account (indexes)
--      and email (the email lookup; nil when the enrolment's email is unknown:
--      none, or enrolled before the email field existed)
--   eid: the enrolment id
local function end_enrolment(k, eid, ended_ttl, index_ttl)
  redis.call('DEL', k.req)
  redis.call('HDEL', k.enrol, 'account_key', 'email')
  redis.call('EXPIRE', k.enrol, ended_ttl)
  redis.call('EXPIRE', k.list, ended_ttl)
  redis.call('EXPIRE', k.lead, index_ttl)
  redis.call('SREM', k.account, eid)
  local contact_ttl = index_ttl
  if k.email and pcall(redis.call, 'HDEL', k.email, eid) then
    if redis.call('HLEN', k.email) <= 1 then
      redis.call('DEL', k.email)
      contact_ttl = ended_ttl
    end
  end
  redis.call('EXPIRE', k.contact, contact_ttl)
end
