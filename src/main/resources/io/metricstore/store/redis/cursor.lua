-- The current cursor. A read: it writes nothing, so it may run on a replica.
-- KEYS[1] meta, KEYS[2] seq; ARGV[1] layout version
-- Returns {'OK', epoch, seq}, {'NEW'} when the namespace has no epoch yet, or {'LAYOUT', layout found}.
local state = redis.call('HMGET', KEYS[1], 'epoch', 'layout')
if not state[1] then
  return {'NEW'}
end
if state[2] ~= ARGV[1] then
  return {'LAYOUT', state[2] or ''}
end
return {'OK', state[1], redis.call('GET', KEYS[2]) or '0'}
