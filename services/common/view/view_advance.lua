-- Moves a materialised view's position past a record without applying it (a
-- malformed record, already dead-lettered). Positions never move backwards.
--
-- KEYS[1]  the view's position hash   lf:{<ns>}:view:<name>:pos
-- ARGV[1]  the epoch of the caller's build
-- ARGV[2]  the partition's field, "p<N>"
-- ARGV[3]  the new next offset (the skipped record's offset + 1)
--
-- Returns 1 moved, 0 already at or past it, -1 the epoch is no longer ARGV[1].
if redis.call('HGET', KEYS[1], 'epoch') ~= ARGV[1] then
  return -1
end
local at = tonumber(redis.call('HGET', KEYS[1], ARGV[2]) or '0')
if at >= tonumber(ARGV[3]) then
  return 0
end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
return 1
