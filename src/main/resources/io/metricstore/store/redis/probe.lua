-- Redis' clock and the namespace's key layout, for this replica's periodic check. A read: it writes nothing.
-- KEYS[1] meta
-- Returns {seconds, microseconds, layout or ''}.
local time = redis.call('TIME')
return {time[1], time[2], redis.call('HGET', KEYS[1], 'layout') or ''}
