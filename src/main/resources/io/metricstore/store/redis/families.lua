-- The families described within the retention, as name, description pairs.
-- KEYS[1] families hash, KEYS[2] families expiry sorted set; ARGV[1] now (ms)
local names = redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. ARGV[1], '+inf')
local out = {}
for _, name in ipairs(names) do
  local described = redis.call('HGET', KEYS[1], name)
  if described then
    table.insert(out, name)
    table.insert(out, described)
  end
end
return out
