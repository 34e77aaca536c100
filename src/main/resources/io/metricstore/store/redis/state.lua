-- Prepended (after origin.lua) to every script that changes the feed. The namespace's meta hash holds the epoch (the
-- id of one history of the state), the origin of the Redis that wrote it, and the key layout.
-- Another origin means the state may not be the one written here: Redis restarted (perhaps from an older file) or a
-- replica was promoted (perhaps one that missed writes). Neither can be told from a clean one inside Redis, so the
-- epoch is replaced and every cursor of the old one expires; the check runs in the same atomic step as the write,
-- so no sequence number of a lost history is ever given out again under the old epoch.
-- Returns the epoch, or nil and the layout found when the namespace holds another layout (nothing is written then).
local function current_epoch(meta, candidate, layout)
  local state = redis.call('HMGET', meta, 'epoch', 'origin', 'layout')
  if state[3] and state[3] ~= layout then
    return nil, state[3]
  end
  local origin = redis_origin()
  if state[1] and state[2] == origin then
    return state[1]
  end
  redis.call('HSET', meta, 'epoch', candidate, 'origin', origin, 'layout', layout)
  return candidate
end
