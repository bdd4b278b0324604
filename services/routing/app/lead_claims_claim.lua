-- Records routing decisions with their claims (lead_claims.h), a batch of
-- claims in one call: Redis runs them in order, so a later claim sees an
-- earlier one's effect (two claims for one rep's last slot: the second gets
-- no capacity). The claims' keys and arguments come back to back, each claim
-- with the same number of them; C++ passes those strides:
--   ARGV[1] keys per claim  ARGV[2] arguments per claim
-- Claim i's keys (k) and arguments (a) follow:
--   k[1] lf:{routing}:decision:<lead>  k[2] open:<rep>  k[3] daily:<day>:<rep>
--   k[4] open-set:<rep>  k[5] queue:<team>  k[6] sla  k[7] outbox
--   k[8] state marker  k[9] the cohort's leads (cohort_store.h; the state
--   marker again when none)  k[10] sla-ladder-new (the SLA timers the
--   ladder has not looked at yet: sla_ladder_sync.lua)
--   a[1] record  a[2] mode (none|rep|queue)  a[3] lead_id  a[4] daily ttl (s)
--   a[5] replace (0|1)  a[6] expected record (for replace)
--   a[7] max_open (0 = unlimited)  a[8] daily_cap  a[9] sla_due_ms (0 = none)
--   a[10] dequeue (0|1)  a[11] outbox_ms (0 = none)
--   a[12] record ttl seconds (0 = none)  a[13] queue entry (the lead's rank
--   in the team queue's sorted set, queue_order.h: added for mode queue,
--   removed for dequeue)  a[14] cohort (1: PFADD the lead to the cohort's
--   leads)  a[15] the cohort's expiry (unix s)
-- Returns per claim, in order: {1, n, depth} (claimed; n the rep's open leads
-- or the queue length, depth the queue length after a dequeue), {0, current
-- record, 0} (exists) or {2, '', 0} (no capacity). A claim that fails in
-- Redis gets an error reply and the others still run. Without the state
-- marker (Redis lost routing's state; it is being rebuilt) every claim is
-- refused with a REBUILDING error: nothing is decided on an empty Redis.
local function claim(k, a)
  if redis.call('EXISTS', k[8]) == 0 then
    return redis.error_reply('REBUILDING routing state is being rebuilt')
  end
  local cur = redis.call('GET', k[1])
  local ok
  if a[5] == '1' then ok = (cur and cur == a[6]) else ok = (not cur) end
  if not ok then return {0, cur or '', 0} end
  if a[2] == 'rep' then
    local max = tonumber(a[7])
    if max > 0 and redis.call('SISMEMBER', k[4], a[3]) == 0 then
      local open = tonumber(redis.call('GET', k[2]) or '0')
      local daily = tonumber(redis.call('GET', k[3]) or '0')
      if open >= max or daily >= tonumber(a[8]) then return {2, '', 0} end
    end
  end
  if tonumber(a[12]) > 0 then redis.call('SET', k[1], a[1], 'EX', a[12])
  else redis.call('SET', k[1], a[1]) end
  local n = 0
  if a[2] == 'rep' then
    if redis.call('SADD', k[4], a[3]) == 1 then
      n = redis.call('INCR', k[2])
      redis.call('INCR', k[3])
      redis.call('EXPIRE', k[3], a[4])
    else
      n = tonumber(redis.call('GET', k[2]) or '0')
    end
  elseif a[2] == 'queue' then
    -- Score 0 for all: the entry's bytes are its rank (queue_order.h).
    redis.call('ZADD', k[5], 0, a[13])
    n = redis.call('ZCARD', k[5])
  end
  local depth = 0
  if a[10] == '1' then
    redis.call('ZREM', k[5], a[13])
    depth = redis.call('ZCARD', k[5])
  end
  if tonumber(a[9]) > 0 then
    redis.call('ZADD', k[6], a[9], a[3])
    redis.call('ZADD', k[10], a[9], a[3])
  end
  if tonumber(a[11]) > 0 then redis.call('ZADD', k[7], a[11], a[3]) end
  if a[14] == '1' then
    redis.call('PFADD', k[9], a[3])
    redis.call('EXPIREAT', k[9], a[15])
  end
  return {1, n, depth}
end

local keys_per_claim = tonumber(ARGV[1])
local args_per_claim = tonumber(ARGV[2])
local out = {}
for i = 0, #KEYS / keys_per_claim - 1 do
  local first_key = keys_per_claim * i
  local first_arg = 2 + args_per_claim * i
  local ok, r = pcall(claim, {unpack(KEYS, first_key + 1, first_key + keys_per_claim)},
                      {unpack(ARGV, first_arg + 1, first_arg + args_per_claim)})
  if ok then
    out[i + 1] = r
  elseif type(r) == 'table' and r.err then
    out[i + 1] = r
  else
    out[i + 1] = {err = tostring(r)}
  end
end
return out
