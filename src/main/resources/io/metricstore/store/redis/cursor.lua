-- The current cursor; creates the epoch if the store's state is new (or was lost).
-- KEYS[1] epoch, KEYS[2] seq; ARGV[1] candidate epoch
local epoch = redis.call('GET', KEYS[1])
if not epoch then
  epoch = ARGV[1]
  redis.call('SET', KEYS[1], epoch)
end
return {epoch, redis.call('GET', KEYS[2]) or '0'}
