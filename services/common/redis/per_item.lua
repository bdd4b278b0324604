-- per_item(n, fn): runs fn(i) for each item i = 1..n of a batched script, each
-- in its own pcall, and returns one reply per item: fn's value, or an error
-- reply for an item that failed, so one bad item never fails the others.
-- Shared through `-- @include common/redis/per_item.lua`.
local function per_item(n, fn)
  local out = {}
  for i = 1, n do
    local ok, r = pcall(fn, i)
    if ok then
      out[i] = r
    elseif type(r) == 'table' and r.err then
      out[i] = r
    else
      out[i] = {err = tostring(r)}
    end
  end
  return out
end
