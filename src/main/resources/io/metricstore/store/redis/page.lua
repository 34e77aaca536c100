-- One page of the compacted change feed after a sequence, with each series' current state.
-- Serves deltas (mode 'delta': the cursor is checked) and snapshots (mode 'snapshot': only live series returned).
-- KEYS[1] epoch, KEYS[2] seq, KEYS[3] horizon, KEYS[4] changes
-- ARGV[1] candidate epoch, ARGV[2] expected epoch ('' for the first snapshot page), ARGV[3] after (sequence),
-- ARGV[4] limit, ARGV[5] series key prefix, ARGV[6] mode, ARGV[7] now (ms), ARGV[8] retention (ms),
-- ARGV[9] metric name filter ('' for all)
-- Returns {'OK', epoch, seq, more, last scanned sequence, then 6 values per event: id, sequence, deleted, value,
-- updatedAt, source} or {'EXPIRED', reason}.
local epoch = ensure_epoch(KEYS[1], ARGV[1])
local seq = redis.call('GET', KEYS[2]) or '0'
local after = tonumber(ARGV[3])
local snapshot = ARGV[6] == 'snapshot'
if ARGV[2] ~= '' and ARGV[2] ~= epoch then
  return {'EXPIRED', 'epoch'}
end
if not snapshot then
  if after < tonumber(redis.call('GET', KEYS[3]) or '0') then
    return {'EXPIRED', 'horizon'}
  end
  if after > tonumber(seq) then
    return {'EXPIRED', 'ahead'}
  end
end
local limit = tonumber(ARGV[4])
local changes = redis.call('ZRANGEBYSCORE', KEYS[4], '(' .. ARGV[3], '+inf', 'WITHSCORES', 'LIMIT', 0, limit + 1)
local count = #changes / 2
local more = 0
if count > limit then
  more = 1
  count = limit
end
local now = tonumber(ARGV[7])
local retention = tonumber(ARGV[8])
local name = ARGV[9]
local out = {'OK', epoch, seq, more, '0'}
for i = 1, count do
  local id, at = changes[2 * i - 1], changes[2 * i]
  out[5] = at
  local wanted = name == '' or id == name or string.sub(id, 1, #name + 1) == name .. '{'
  if wanted then
    local state = redis.call('HMGET', ARGV[5] .. id, 'v', 't', 's')
    -- Live: present and not yet expired by the caller's clock (Redis' own expiry may lag or lead it).
    if state[1] and tonumber(state[2]) + retention > now then
      table.insert(out, id)
      table.insert(out, at)
      table.insert(out, '0')
      table.insert(out, state[1])
      table.insert(out, state[2])
      table.insert(out, state[3])
    elseif not snapshot then
      table.insert(out, id)
      table.insert(out, at)
      table.insert(out, '1')
      table.insert(out, '')
      table.insert(out, '')
      table.insert(out, '')
    end
  end
end
return out
