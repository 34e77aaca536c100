-- Records family descriptions: type and help, each living for the retention like a series.
-- KEYS[1] families hash (name -> type, newline, help), KEYS[2] families expiry sorted set
-- ARGV: per family 3 values: name, type and help joined by a newline, expiry (ms)
for i = 1, #ARGV, 3 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
  redis.call('ZADD', KEYS[2], ARGV[i + 2], ARGV[i])
end
return #ARGV / 3
