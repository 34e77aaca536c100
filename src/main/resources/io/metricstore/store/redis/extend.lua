-- Extends (ARGV[5] = 'extend') or releases (ARGV[5] = 'release') a lock held by a token.
-- KEYS[1] lock hash, KEYS[2] lock expiry index, KEYS[3] meta
-- ARGV[1] token, ARGV[2] now (ms), ARGV[3] new expiry (ms), ARGV[4] index member, ARGV[5] operation,
-- ARGV[6] key expiry margin (ms): Redis' own expiry comes that long after the lease's
-- ARGV[7] layout version, ARGV[8] the caller's identity (see acquire.lua), ARGV[9] the watch channel ('' for a lock),
-- ARGV[10] the lease's name: a lease renewed publishes 'lease <fence> <name>', one resigned 'lease 0 <name>'
-- Returns {1, fence, expiry, holder ('' for a lock)} on success, {-1} when not held, {-3} when held for another identity, {-2} when held by
-- another token, {'LAYOUT', layout found} when the namespace holds another key layout.
local other = other_layout(KEYS[3], ARGV[7])
if other then
  return {'LAYOUT', other}
end
local current = redis.call('HMGET', KEYS[1], 'token', 'fence', 'exp', 'owner', 'holder')
if (not current[1]) or tonumber(current[3] or '0') <= tonumber(ARGV[2]) then
  return {-1}
end
if current[4] and current[4] ~= ARGV[8] then
  return {-3}
end
if current[1] ~= ARGV[1] then
  return {-2}
end
if ARGV[5] == 'release' then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], ARGV[4])
  if ARGV[9] ~= '' then
    redis.call('PUBLISH', ARGV[9], 'lease 0 ' .. ARGV[10])
  end
  return {1, current[2], current[3], current[5] or ''}
end
redis.call('HSET', KEYS[1], 'exp', ARGV[3])
redis.call('PEXPIREAT', KEYS[1], string.format('%d', tonumber(ARGV[3]) + tonumber(ARGV[6])))
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
if ARGV[9] ~= '' then
  redis.call('PUBLISH', ARGV[9], 'lease ' .. current[2] .. ' ' .. ARGV[10])
end
return {1, current[2], ARGV[3], current[5] or ''}
