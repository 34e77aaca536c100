-- Redis' clock, the namespace's key layout and Redis' eviction policy, for this replica's periodic check. A read: it
-- writes nothing.
-- KEYS[1] meta
-- Returns {seconds, microseconds, layout or '', maxmemory policy}.
local time = redis.call('TIME')
local policy = string.match(redis.call('INFO', 'memory'), 'maxmemory_policy:([%w-]+)') or ''
return {time[1], time[2], redis.call('HGET', KEYS[1], 'layout') or '', policy}
