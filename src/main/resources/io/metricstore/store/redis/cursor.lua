-- The current cursor. A read: it writes nothing, so it may run on a replica.
-- KEYS[1] meta, KEYS[2] seq; ARGV[1] layout version
-- Returns {'OK', epoch, seq}, {'NEW'} when the namespace has no epoch yet, or {'LAYOUT', layout found}.
local epoch, instead = read_epoch(KEYS[1], ARGV[1])
if not epoch then
  return instead
end
return {'OK', epoch, redis.call('GET', KEYS[2]) or '0'}
