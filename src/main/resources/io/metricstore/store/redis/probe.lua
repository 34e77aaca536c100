-- Redis' clock, the namespace's key layout and Redis' eviction policy, for this replica's periodic check. A read: it
-- writes nothing.
-- KEYS[1] meta
-- Returns {seconds, microseconds, layout or '', maxmemory policy, maxmemory (bytes, 0 for no limit)}.
local time = redis.call('TIME')
local memory = redis.call('INFO', 'memory')
return {time[1], time[2], redis.call('HGET', KEYS[1], 'layout') or '',
        string.match(memory, 'maxmemory_policy:([%w-]+)') or '', string.match(memory, 'maxmemory:(%d+)') or '0'}
