-- Moves a materialised view's position past a record without applying it (a
-- malformed record, already dead-lettered). Positions never move backwards.
--
-- KEYS[1]  the view's position hash   lf:{<ns>}:view:<name>:pos
-- ARGV[1]  the epoch of the caller's build
-- ARGV[2]  the partition's field, "p<N>"
-- ARGV[3]  the new next offset (the skipped record's offset + 1)
--
-- Returns 1 moved, 0 already at or past it, -1 the epoch is no longer ARGV[1].
-- @include common/view/view_gate.lua
local gate = view_gate(KEYS[1], ARGV[1], ARGV[2], tonumber(ARGV[3]))
if gate then
  return gate
end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
return 1
