-- Acquires a lock for a token. A retry by the holding token renews the lease and keeps its fence.
-- KEYS[1] lock hash, KEYS[2] lock expiry index, KEYS[3] meta (its field 'fence' is the store-wide fence counter, kept
-- beside 'fence_origin' so that neither is ever lost without the other)
-- ARGV[1] token, ARGV[2] now (ms), ARGV[3] expiry (ms), ARGV[4] index member, ARGV[5] the fence floor of now
-- (Fences.floor), ARGV[6] key expiry margin (ms): Redis' own expiry comes that long after the lease's end, never
-- before it, ARGV[7] layout version, ARGV[8] the fence seed (Fences.seed), ARGV[9] the caller's identity (a lock
-- is bound to it; a lock written before identities were kept has none and binds nobody), ARGV[10] the lease's public
-- holder ('' for a lock), ARGV[11] the watch channel ('' for a lock), ARGV[12] the lease's name
-- A lease taken or renewed publishes 'lease <fence> <name>' on the watch channel, so that observers on every replica
-- wake (the name last: it may contain spaces).
-- A new fence is above both the counter and the floor of now. When this Redis is another history than the one that
-- issued the last fence (origin.lua), the counter may have come back older (a restart from an older file, a replica
-- that missed acquires), the replica that issued those fences may have had a clock ahead of this caller's, and a
-- deposed primary may still be issuing fences from the time floor: the counter is first raised to the seed.
-- Returns {1, fence, expiry, holder} when acquired (a retry keeps the holder first given), {0, holder's expiry,
-- holder's fence, holder} when held by another token, {-3} when the token holds it for another identity,
-- {'LAYOUT', layout found}
-- when the namespace holds another key layout.
local other = other_layout(KEYS[3], ARGV[7])
if other then
  return {'LAYOUT', other}
end
local current = redis.call('HMGET', KEYS[1], 'token', 'fence', 'exp', 'owner', 'holder')
local fence
local holder = ARGV[10]
if current[1] and tonumber(current[3] or '0') > tonumber(ARGV[2]) then
  if current[1] ~= ARGV[1] then
    return {0, current[3], current[2], current[5] or ''}
  end
  if current[4] and current[4] ~= ARGV[9] then
    return {-3}
  end
  fence = current[2]
  holder = current[5] or holder
else
  local state = redis.call('HMGET', KEYS[3], 'fence', 'fence_origin')
  local counter = tonumber(state[1] or '0')
  local origin = redis_origin()
  if state[2] ~= origin then
    counter = math.max(counter, tonumber(ARGV[8]))
  end
  fence = string.format('%d', math.max(counter, tonumber(ARGV[5])) + 1)
  redis.call('HSET', KEYS[3], 'fence', fence, 'fence_origin', origin)
end
redis.call('HSET', KEYS[1], 'token', ARGV[1], 'fence', fence, 'exp', ARGV[3], 'owner', ARGV[9])
if holder ~= '' then
  redis.call('HSET', KEYS[1], 'holder', holder)
end
redis.call('PEXPIREAT', KEYS[1], string.format('%d', tonumber(ARGV[3]) + tonumber(ARGV[6])))
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
if ARGV[11] ~= '' then
  redis.call('PUBLISH', ARGV[11], 'lease ' .. fence .. ' ' .. ARGV[12])
end
return {1, fence, ARGV[3], holder}
