-- Sets a rep's availability (rep_load_store.h).
--   KEYS[1] lf:{routing}:availability  KEYS[2] state marker
--   ARGV[1] rep_id  ARGV[2] RepAvailability number
-- Returns 1; a REBUILDING error while routing's state is being rebuilt.
if redis.call('EXISTS', KEYS[2]) == 0 then
  return redis.error_reply('REBUILDING routing state is being rebuilt')
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
