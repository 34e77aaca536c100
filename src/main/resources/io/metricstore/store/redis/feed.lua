-- Prepended to the read scripts on the feed: the namespace's epoch, or the reply to give instead: {'NEW'} when the
-- namespace has no epoch yet (init.lua creates it), {'LAYOUT', layout found} when it holds another key layout.
local function read_epoch(meta, layout)
  local state = redis.call('HMGET', meta, 'epoch', 'layout')
  if not state[1] then
    return nil, {'NEW'}
  end
  if state[2] ~= layout then
    return nil, {'LAYOUT', state[2] or ''}
  end
  return state[1]
end
