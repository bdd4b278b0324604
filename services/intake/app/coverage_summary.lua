-- The summary an account's coverage hash keeps of its contacts
-- (lf:{intake}:cov:<account>; docs/state.md, `cov:<account>`), so that a lead
-- reads its account's coverage in O(1) instead of the whole hash: "_n" the
-- contacts, "_c1" "_c2" "_c3" the contacts of each buyer class (ECONOMIC,
-- TECHNICAL, END_USER), "_dm" the decision makers, and "_s" the hash's field
-- count (HLEN) when a writer last kept the summary. Every script that writes
-- or removes a field of the hash goes through cov_set, cov_setnx, cov_del or
-- cov_seal, which keep the summary. A field added or removed by anything else
-- (an intake replica of an older version during a rolling upgrade writes the
-- hash without the summary) changes the count, and the next writer
-- summarises the hash again from its contacts. (An older replica changing an
-- existing contact's value is not seen: docs/operating.md, "Upgrading".)
-- A contact is a field neither empty nor starting with "_" whose value is
-- two digits, a buyer class 0-3 then a decision role 0-2 (as
-- DecodeContactValue in intake/domain/account_coverage.h accepts); anything
-- else counts nowhere. Shared through `-- @include intake/app/coverage_summary.lua`.

-- The class (0-3) and whether a decision maker (role 1), of a contact's
-- stored value; nil for a value that is not one.
local function cov_parse(value)
  if type(value) ~= 'string' or #value ~= 2 then
    return nil
  end
  local cls = string.byte(value, 1) - 48
  local role = string.byte(value, 2) - 48
  if cls < 0 or cls > 3 or role < 0 or role > 2 then
    return nil
  end
  return cls, role == 1
end

local function cov_is_contact(field)
  return field ~= '' and string.sub(field, 1, 1) ~= '_'
end

-- Adds `sign` (1 or -1) times the contact's value to the summary's counts.
local function cov_count(key, value, sign)
  local cls, dm = cov_parse(value)
  if not cls then
    return
  end
  redis.call('HINCRBY', key, '_n', sign)
  if cls > 0 then
    redis.call('HINCRBY', key, '_c' .. cls, sign)
  end
  if dm then
    redis.call('HINCRBY', key, '_dm', sign)
  end
end

-- Records the hash's field count in "_s" after a write that kept the summary
-- and added or removed a field (HSET and HDEL return how many).
local function cov_seal(key)
  redis.call('HSET', key, '_s', redis.call('HLEN', key))
end

-- Writes the summary of a hash that has none, or whose field count moved
-- since its summary was kept (one written before the
-- summary existed, or a new one) from its contacts.
local function cov_summarise(key)
  local n, per_class, dms = 0, {0, 0, 0}, 0
  local all = redis.call('HGETALL', key)
  for i = 1, #all, 2 do
    local cls, dm = nil, false
    if cov_is_contact(all[i]) then
      cls, dm = cov_parse(all[i + 1])
    end
    if cls then
      n = n + 1
      if cls > 0 then
        per_class[cls] = per_class[cls] + 1
      end
      if dm then
        dms = dms + 1
      end
    end
  end
  redis.call('HSET', key, '_s', '0', '_n', n, '_c1', per_class[1], '_c2', per_class[2],
             '_c3', per_class[3], '_dm', dms)
  cov_seal(key)
end

-- The stored value of contact `id` (false when absent), after summarising a
-- hash without a summary: always before a write (`writing`), else only when
-- the contact is there to be removed (a hash is never created to be left
-- without its contact).
local function cov_old(key, id, writing)
  local got = redis.call('HMGET', key, '_s', id)
  local kept = got[1] and tonumber(got[1]) == redis.call('HLEN', key)
  if not kept and (writing or got[2]) then
    cov_summarise(key)
  end
  return got[2]
end

-- HSET key id value, with the summary.
local function cov_set(key, id, value)
  local old = cov_old(key, id, true)
  if old == value then
    return
  end
  if redis.call('HSET', key, id, value) == 1 then
    cov_seal(key)
  end
  if cov_is_contact(id) then
    cov_count(key, old, -1)
    cov_count(key, value, 1)
  end
end

-- HSETNX key id value, with the summary.
local function cov_setnx(key, id, value)
  if cov_old(key, id, true) then
    return
  end
  redis.call('HSET', key, id, value)
  cov_seal(key)
  if cov_is_contact(id) then
    cov_count(key, value, 1)
  end
end

-- HDEL key id, with the summary (a hash without the contact is left as it is).
local function cov_del(key, id)
  local old = cov_old(key, id, false)
  if not old then
    return
  end
  redis.call('HDEL', key, id)
  cov_seal(key)
  if cov_is_contact(id) then
    cov_count(key, old, -1)
  end
end
