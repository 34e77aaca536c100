-- The stored state of some series. A read: it writes nothing.
-- KEYS: one series hash each
-- Returns per key 3 values: value, updatedAt (ms), source; three empty strings for a missing key.
local out = {}
for _, key in ipairs(KEYS) do
  local state = redis.call('HMGET', key, 'v', 't', 's')
  table.insert(out, state[1] or '')
  table.insert(out, state[2] or '')
  table.insert(out, state[3] or '')
end
return out
