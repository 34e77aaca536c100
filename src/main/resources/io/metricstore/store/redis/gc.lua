-- One bounded step of the GC: expire series (recording deletions), trim old tombstones (raising the horizon),
-- purge expired locks. The caller repeats it while any part reports a full step.
-- KEYS[1] epoch, KEYS[2] seq, KEYS[3] index, KEYS[4] changes, KEYS[5] tombstones, KEYS[6] horizon, KEYS[7] locks,
-- KEYS[8] families hash, KEYS[9] families expiry sorted set
-- ARGV[1] candidate epoch, ARGV[2] now (ms), ARGV[3] tombstone cutoff (ms), ARGV[4] step size, ARGV[5] key prefix
local epoch = ensure_epoch(KEYS[1], ARGV[1])
local step = tonumber(ARGV[4])
local expired = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', ARGV[2], 'LIMIT', 0, step)
for _, id in ipairs(expired) do
  redis.call('DEL', ARGV[5] .. 's:' .. id)
  redis.call('ZREM', KEYS[3], id)
  local seq = redis.call('INCR', KEYS[2])
  redis.call('ZADD', KEYS[4], seq, id)
  redis.call('ZADD', KEYS[5], ARGV[2], id)
end
local trimmed = redis.call('ZRANGEBYSCORE', KEYS[5], '-inf', ARGV[3], 'LIMIT', 0, step)
if #trimmed > 0 then
  local horizon = tonumber(redis.call('GET', KEYS[6]) or '0')
  for _, id in ipairs(trimmed) do
    local seq = redis.call('ZSCORE', KEYS[4], id)
    if seq and tonumber(seq) > horizon then
      horizon = tonumber(seq)
    end
    redis.call('ZREM', KEYS[4], id)
    redis.call('ZREM', KEYS[5], id)
  end
  redis.call('SET', KEYS[6], string.format('%d', horizon))
end
-- A held lock's member is re-scored on every acquire and extend and removed on release, so a member due by now
-- is an expired lock; its key is deleted unless Redis already did.
local locks = redis.call('ZRANGEBYSCORE', KEYS[7], '-inf', ARGV[2], 'LIMIT', 0, step)
for _, member in ipairs(locks) do
  redis.call('DEL', ARGV[5] .. 'lock:' .. member)
  redis.call('ZREM', KEYS[7], member)
end
local families = redis.call('ZRANGEBYSCORE', KEYS[9], '-inf', ARGV[2], 'LIMIT', 0, step)
for _, name in ipairs(families) do
  redis.call('HDEL', KEYS[8], name)
  redis.call('ZREM', KEYS[9], name)
end
return {#expired, #locks, #trimmed, #families}
