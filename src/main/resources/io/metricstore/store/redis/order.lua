-- One page of a snapshot in snapshot order: members of the order set (series sort keys, all scored 0, so sorted by
-- their bytes, which is code point order) in a lex range. A read: it writes nothing. The series' states are read next
-- by states.lua, whose keys are these series', so that every script declares the keys it touches. A metric name's
-- series are one range of the set, so a snapshot of one name reads only them.
-- KEYS[1] meta, KEYS[2] seq, KEYS[3] horizon, KEYS[4] order
-- ARGV[1] layout version, ARGV[2] the walk's epoch ('' for a walk's first page), ARGV[3] the walk's sequence,
-- ARGV[4] from, ARGV[5] to (ZRANGEBYLEX bounds), ARGV[6] most keys
-- Returns {'OK', epoch, seq, sort keys...}, {'EXPIRED', reason} when a later page's cursor cannot be followed,
-- {'NEW'} when the namespace has no epoch yet, or {'LAYOUT', layout found}.
local epoch, instead = read_epoch(KEYS[1], ARGV[1])
if not epoch then
  return instead
end
local seq = redis.call('GET', KEYS[2]) or '0'
if ARGV[2] ~= '' then
  local at = tonumber(ARGV[3])
  if ARGV[2] ~= epoch then
    return {'EXPIRED', 'epoch'}
  end
  if at < tonumber(redis.call('GET', KEYS[3]) or '0') then
    return {'EXPIRED', 'horizon'}
  end
  if at > tonumber(seq) then
    return {'EXPIRED', 'ahead'}
  end
end
local out = {'OK', epoch, seq}
for _, key in ipairs(redis.call('ZRANGEBYLEX', KEYS[4], ARGV[4], ARGV[5], 'LIMIT', 0, ARGV[6])) do
  table.insert(out, key)
end
return out
