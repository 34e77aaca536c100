-- What the GC may remove now: series and locks due by now, up to a step each. A read: it writes nothing; gc.lua
-- then gets their keys declared and checks each again, since a write may come in between.
-- KEYS[1] series expiry index, KEYS[2] lock expiry index; ARGV[1] now (ms), ARGV[2] step size
-- Returns {series ids, lock members}.
return {redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2]),
        redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])}
