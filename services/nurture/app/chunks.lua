-- Included by the scripts that pass a whole batch to one variadic command:
-- Lua's unpack() is limited to a few thousand values, so the lists go in
-- chunks (of an even size: ZADD and HSET take pairs).
--   each_chunk(list, fn) calls fn(...) with up to 1000 elements of list at a time.
local function each_chunk(list, fn)
  for i = 1, #list, 1000 do fn(unpack(list, i, math.min(i + 999, #list))) end
end
