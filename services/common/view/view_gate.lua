-- view_gate(pos_key, epoch, field, next_offset): whether a record may move a
-- materialised view (common/view/topic_view.h) to `next_offset` on the
-- partition whose position field is `field` ("p<N>") of the hash `pos_key`.
-- Returns nil when it may; -1 when the view is no longer at `epoch` (Redis was
-- reset: the caller rebuilds); 0 when the view is already at or past it.
-- Shared by the view scripts through `-- @include common/view/view_gate.lua`.
local function view_gate(pos_key, epoch, field, next_offset)
  if redis.call('HGET', pos_key, 'epoch') ~= epoch then
    return -1
  end
  if tonumber(redis.call('HGET', pos_key, field) or '0') >= next_offset then
    return 0
  end
  return nil
end
