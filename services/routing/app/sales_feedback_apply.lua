-- Applies one sales feedback to its lead (sales_feedback_store.h,
-- docs/domain-rules.md §5 "one explicit handoff", §6 deal stages), only while
-- the fb hash's `last`, `accepted_by` and `ver` are still what the caller read
-- (the state its transition was decided on).
--   KEYS[1] open-set:<rep>  KEYS[2] open:<rep>  KEYS[3] sla  KEYS[4] fb:<lead>
--   KEYS[5] decision:<lead>  KEYS[6] state marker  KEYS[7] stalls
--   KEYS[8] won:<month> (the state marker when no deal was won)
--   KEYS[9] cohort:<cohort>:won (the state marker when the lead has no cohort)
--   ARGV[1] lead_id  ARGV[2] kind (accept|reject|close|stage)  ARGV[3] rep
--   ARGV[4] detail (reason or outcome name, or the stage)
--   ARGV[5] expected record  ARGV[6] new record ('' keeps it)
--   ARGV[7] new record ttl (s, 0 none)  ARGV[8] fb ttl (s, 0 none)
--   ARGV[9] expected last tag  ARGV[10] expected accepted_by  ARGV[11] version
--   ARGV[12] expected version (0 none)
--   stage: ARGV[13] stage id  ARGV[14] value  ARGV[15] probability
--          ARGV[16] previous stage  ARGV[17] ms in previous stage
--          ARGV[18] stage version  ARGV[19] stall due ms (0: keep timer and stall)
--   close WON: ARGV[20] the won deal ('' none)  ARGV[21] the ledger's expiry (unix s)
--          ARGV[22] cohort (1: ZADD the lead to the cohort's won deals)
--          ARGV[23] won at (ms)  ARGV[24] the cohort's expiry (unix s)
-- Returns {1 applied | 3 state changed meanwhile | 0 not open, the rep's open
-- leads, 1 if the record was replaced}.
if redis.call('EXISTS', KEYS[6]) == 0 then
  return redis.error_reply('REBUILDING routing state is being rebuilt')
end
local tag = ARGV[2] .. '|' .. ARGV[3]
local function open() return tonumber(redis.call('GET', KEYS[2]) or '0') end
local last = redis.call('HGET', KEYS[4], 'last') or ''
local by = redis.call('HGET', KEYS[4], 'accepted_by') or ''
local ver = tonumber(redis.call('HGET', KEYS[4], 'ver') or '0')
if last ~= ARGV[9] or by ~= ARGV[10] or ver ~= tonumber(ARGV[12]) then
  return {3, open(), 0}
end
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 0 then return {0, open(), 0} end
if ARGV[2] == 'accept' then
  redis.call('ZREM', KEYS[3], ARGV[1])
  redis.call('HSET', KEYS[4], 'last', tag, 'accepted_by', ARGV[3], 'ver', ARGV[11],
             'accepted_ver', ARGV[11])
  return {1, open(), 0}
end
if ARGV[2] == 'stage' then
  if by ~= ARGV[3] then return {0, open(), 0} end
  redis.call('HSET', KEYS[4], 'last', tag, 'ver', ARGV[11], 'stage', ARGV[13], 'value',
             ARGV[14], 'p', ARGV[15], 'from', ARGV[16], 'from_ms', ARGV[17], 'stage_ver',
             ARGV[18])
  if tonumber(ARGV[19]) > 0 then
    redis.call('HDEL', KEYS[4], 'stalled')
    redis.call('ZADD', KEYS[7], ARGV[19], ARGV[1])
  end
  return {1, open(), 0}
end
-- reject or close: the rep's slot, the timers and the tags.
redis.call('SREM', KEYS[1], ARGV[1])
local v = redis.call('DECR', KEYS[2])
if v < 0 then redis.call('SET', KEYS[2], 0); v = 0 end
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[7], ARGV[1])
redis.call('HSET', KEYS[4], 'last', tag, ARGV[2], ARGV[4], 'ver', ARGV[11])
if tonumber(ARGV[8]) > 0 then redis.call('EXPIRE', KEYS[4], ARGV[8]) end
-- A close WON: the month's won ledger and the cohort's won deals.
if ARGV[20] ~= '' then
  redis.call('HSET', KEYS[8], ARGV[1], ARGV[20])
  redis.call('EXPIREAT', KEYS[8], ARGV[21])
  if ARGV[22] == '1' then
    redis.call('ZADD', KEYS[9], ARGV[23], ARGV[1])
    redis.call('EXPIREAT', KEYS[9], ARGV[24])
  end
end
-- The record turns slim (or NURTURE), unless it changed meanwhile.
local replaced = 0
if ARGV[6] ~= '' and redis.call('GET', KEYS[5]) == ARGV[5] then
  if tonumber(ARGV[7]) > 0 then redis.call('SET', KEYS[5], ARGV[6], 'EX', ARGV[7])
  else redis.call('SET', KEYS[5], ARGV[6]) end
  replaced = 1
end
return {1, v, replaced}
