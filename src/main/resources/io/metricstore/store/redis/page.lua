-- One page of the compacted change feed after a sequence, for a delta: the ids and their sequences. A read: it
-- writes nothing. The series' states are read next by states.lua, whose keys are these ids', so that every script
-- declares the keys it touches.
-- KEYS[1] meta, KEYS[2] seq, KEYS[3] horizon, KEYS[4] changes
-- ARGV[1] layout version, ARGV[2] expected epoch, ARGV[3] after (sequence), ARGV[4] limit
-- Returns {'OK', epoch, seq, more, last scanned sequence, then per id: id, sequence}, {'EXPIRED', reason},
-- {'NEW'} when the namespace has no epoch yet, or {'LAYOUT', layout found}.
local epoch, instead = read_epoch(KEYS[1], ARGV[1])
if not epoch then
  return instead
end
local seq = redis.call('GET', KEYS[2]) or '0'
local after = tonumber(ARGV[3])
if ARGV[2] ~= epoch then
  return {'EXPIRED', 'epoch'}
end
if after < tonumber(redis.call('GET', KEYS[3]) or '0') then
  return {'EXPIRED', 'horizon'}
end
if after > tonumber(seq) then
  return {'EXPIRED', 'ahead'}
end
local limit = tonumber(ARGV[4])
local changes = redis.call('ZRANGEBYSCORE', KEYS[4], '(' .. ARGV[3], '+inf', 'WITHSCORES', 'LIMIT', 0, string.format('%d', limit + 1))
local count = #changes / 2
local more = 0
if count > limit then
  more = 1
  count = limit
end
local out = {'OK', epoch, seq, more, '0'}
for i = 1, count do
  local id, at = changes[2 * i - 1], changes[2 * i]
  out[5] = at
  table.insert(out, id)
  table.insert(out, at)
end
return out
