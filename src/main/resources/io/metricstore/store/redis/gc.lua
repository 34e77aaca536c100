-- One bounded step of the GC: expire series (recording deletions), trim old tombstones (raising the horizon),
-- purge expired locks and family descriptions. The caller repeats it while any part had a full step.
-- KEYS[1] meta, KEYS[2] seq, KEYS[3] index, KEYS[4] changes, KEYS[5] tombstones, KEYS[6] horizon, KEYS[7] locks,
-- KEYS[8] families hash, KEYS[9] families expiry sorted set, KEYS[10] order, then the n series keys and the lock keys
-- due.lua found
-- ARGV[1] candidate epoch, ARGV[2] layout version, ARGV[3] now (ms), ARGV[4] tombstone cutoff (ms),
-- ARGV[5] step size, ARGV[6] the watch channel, ARGV[7] n, then the n series ids, their n sort keys and the lock
-- members, in the order of their keys. A step that expired series publishes 'feed <epoch> <sequence>' on the watch channel.
-- Returns {'OK', series expired, locks purged, tombstones trimmed, families expired} or {'LAYOUT', layout found}.
local epoch, found = current_epoch(KEYS[1], ARGV[1], ARGV[2])
if not epoch then
  return {'LAYOUT', found}
end
local now = tonumber(ARGV[3])
local step = tonumber(ARGV[5])
local n = tonumber(ARGV[7])
-- Each candidate is checked again: it may have been written (or released) since due.lua listed it.
local function due(index, member)
  local score = redis.call('ZSCORE', index, member)
  return score and tonumber(score) <= now
end
local expired = 0
local seq
for i = 1, n do
  local id = ARGV[7 + i]
  if due(KEYS[3], id) then
    seq = (seq or tonumber(redis.call('GET', KEYS[2]) or '0')) + 1
    redis.call('DEL', KEYS[10 + i])
    redis.call('ZREM', KEYS[3], id)
    redis.call('ZREM', KEYS[10], ARGV[7 + n + i])
    redis.call('ZADD', KEYS[4], string.format('%d', seq), id)
    redis.call('ZADD', KEYS[5], ARGV[3], id)
    expired = expired + 1
  end
end
if seq then
  redis.call('SET', KEYS[2], string.format('%d', seq))
  redis.call('PUBLISH', ARGV[6], 'feed ' .. epoch .. ' ' .. string.format('%d', seq))
end
local locks = 0
for i = 11 + n, #KEYS do
  local member = ARGV[i - 3 + n]
  if due(KEYS[7], member) then
    redis.call('DEL', KEYS[i])
    redis.call('ZREM', KEYS[7], member)
    locks = locks + 1
  end
end
local trimmed = redis.call('ZRANGEBYSCORE', KEYS[5], '-inf', ARGV[4], 'LIMIT', 0, step)
if #trimmed > 0 then
  local horizon = tonumber(redis.call('GET', KEYS[6]) or '0')
  for _, id in ipairs(trimmed) do
    local at = redis.call('ZSCORE', KEYS[4], id)
    if at and tonumber(at) > horizon then
      horizon = tonumber(at)
    end
    redis.call('ZREM', KEYS[4], id)
    redis.call('ZREM', KEYS[5], id)
  end
  redis.call('SET', KEYS[6], string.format('%d', horizon))
end
local families = redis.call('ZRANGEBYSCORE', KEYS[9], '-inf', ARGV[3], 'LIMIT', 0, step)
for _, name in ipairs(families) do
  redis.call('HDEL', KEYS[8], name)
  redis.call('ZREM', KEYS[9], name)
end
return {'OK', expired, locks, #trimmed, #families}
