-- Marks a materialised view ready: its build of epoch ARGV[1] has applied every
-- record up to the topic's end offsets as they were when the build began.
--
-- KEYS[1]  the view's position hash   lf:{<ns>}:view:<name>:pos
-- KEYS[2]  the view's ready marker    lf:{<ns>}:view:<name>:ready
-- ARGV[1]  the epoch that caught up
--
-- Returns 1 when marked; 0 when the view's epoch is no longer ARGV[1] (Redis
-- was reset meanwhile: the caller rebuilds).
if redis.call('HGET', KEYS[1], 'epoch') ~= ARGV[1] then
  return 0
end
redis.call('SET', KEYS[2], ARGV[1])
return 1
