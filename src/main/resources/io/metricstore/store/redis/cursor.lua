-- The current cursor; creates the epoch if the store's state is new (or was lost).
-- KEYS[1] epoch, KEYS[2] seq; ARGV[1] candidate epoch
local epoch = ensure_epoch(KEYS[1], ARGV[1])
return {epoch, redis.call('GET', KEYS[2]) or '0'}
