-- Records family descriptions: type and help, each living for the retention like a series.
-- KEYS[1] families hash (name -> type, newline, help), KEYS[2] families expiry sorted set, KEYS[3] meta
-- ARGV[1] layout version, then per family 3 values: name, type and help joined by a newline, expiry (ms)
-- Returns the number of families, or {'LAYOUT', layout found} when the namespace holds another key layout.
local other = other_layout(KEYS[3], ARGV[1])
if other then
  return {'LAYOUT', other}
end
for i = 2, #ARGV, 3 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
  redis.call('ZADD', KEYS[2], ARGV[i + 2], ARGV[i])
end
return (#ARGV - 1) / 3
