-- Opens a materialised view for (re)building: returns the view's epoch and the
-- next offset to apply of each partition. When Redis holds no position for the
-- view (its first start, or Redis was emptied or reset), a new epoch begins and
-- the view reads its topic from the beginning; the ready marker is cleared, so
-- lookups refuse until the new build has caught up.
--
-- KEYS[1]  the view's position hash   lf:{<ns>}:view:<name>:pos
-- KEYS[2]  the view's ready marker    lf:{<ns>}:view:<name>:ready
-- ARGV[1]  a fresh epoch id, used only when the view has none
--
-- Returns {epoch, created (1 when ARGV[1] became the epoch, else 0),
--          "p<N>", "<next offset>", ...}
local epoch = redis.call('HGET', KEYS[1], 'epoch')
local created = 0
if not epoch then
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[1], 'epoch', ARGV[1])
  epoch = ARGV[1]
  created = 1
end
local out = {epoch, created}
local fields = redis.call('HGETALL', KEYS[1])
for i = 1, #fields, 2 do
  if fields[i] ~= 'epoch' then
    out[#out + 1] = fields[i]
    out[#out + 1] = fields[i + 1]
  end
end
return out
