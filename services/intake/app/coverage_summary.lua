-- The summary an account's coverage hash keeps of its contacts
-- (lf:{intake}:cov:<account>; docs/state.md, `cov:<account>`), so that a lead
-- reads its account's coverage in O(1) instead of the whole hash: "_n" the
-- contacts, "_c1" "_c2" "_c3" the contacts of each buyer class (ECONOMIC,
-- TECHNICAL, END_USER), "_dm" the decision makers, and "_s" = "1" once the
-- summary is there. Every script that writes or removes a contact of the
-- hash goes through cov_set, cov_setnx or cov_del, which keep the summary.
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

-- Writes the summary of a hash that has none yet (one written before the
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
  redis.call('HSET', key, '_s', '1', '_n', n, '_c1', per_class[1], '_c2', per_class[2],
             '_c3', per_class[3], '_dm', dms)
end

-- The stored value of contact `id` (false when absent), after summarising a
-- hash without a summary: always before a write (`writing`), else only when
-- the contact is there to be removed (a hash is never created to be left
-- without its contact).
local function cov_old(key, id, writing)
  local got = redis.call('HMGET', key, '_s', id)
  if not got[1] and (writing or got[2]) then
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
  redis.call('HSET', key, id, value)
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
  if cov_is_contact(id) then
    cov_count(key, old, -1)
  end
end
