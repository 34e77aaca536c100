-- Applies one chunk of a validated batch: series cap, precedence, series hashes, expiry index and change feed.
-- KEYS[1] epoch, KEYS[2] seq, KEYS[3] index, KEYS[4] changes, KEYS[5] tombstones, KEYS[6..] one series hash per point
-- ARGV[1] candidate epoch, ARGV[2] now (ms), ARGV[3] max series (0: the cap was checked by an earlier chunk),
-- ARGV[4] source, ARGV[5] m = number of ids to check against the cap, ARGV[6 .. 5+m] those ids (distinct),
-- then per point 5 values: id, value, updatedAt (ms), rank, expiry (ms)
local epoch = ensure_epoch(KEYS[1], ARGV[1])
local now = tonumber(ARGV[2])
local max = tonumber(ARGV[3])
local m = tonumber(ARGV[5])
if max > 0 then
  -- Live series have an expiry after now; an expired member not yet collected counts as new if written again.
  -- The ids are looked up one by one only when the batch could reach the cap at all.
  local live = redis.call('ZCOUNT', KEYS[3], '(' .. ARGV[2], '+inf')
  if live + m > max then
    local created = 0
    for i = 6, 5 + m do
      local expiry = redis.call('ZSCORE', KEYS[3], ARGV[i])
      if (not expiry) or tonumber(expiry) <= now then
        created = created + 1
      end
    end
    if live + created > max then
      return {'CAP', epoch, live, created}
    end
  end
end
local applied, unchanged, stale = 0, 0, 0
-- The sequence is read once and written back once: the script is atomic, so nothing else can take a number.
local seq = tonumber(redis.call('GET', KEYS[2]) or '0')
local base = 6 + m
for j = 6, #KEYS do
  local a = base + (j - 6) * 5
  local id, value, rank = ARGV[a], ARGV[a + 1], tonumber(ARGV[a + 3])
  local current = redis.call('HMGET', KEYS[j], 'r', 'v')
  local outcome = 'applied'
  if current[1] then
    local stored = tonumber(current[1])
    if rank < stored then
      outcome = 'stale'
    elseif rank == stored and current[2] == value then
      outcome = 'unchanged'
    end
  else
    -- A new (or re-created) series: it may have a tombstone to drop.
    redis.call('ZREM', KEYS[5], id)
  end
  if outcome == 'applied' then
    seq = seq + 1
    redis.call('HSET', KEYS[j], 'v', value, 't', ARGV[a + 2], 's', ARGV[4], 'r', ARGV[a + 3])
    redis.call('PEXPIREAT', KEYS[j], ARGV[a + 4])
    redis.call('ZADD', KEYS[3], ARGV[a + 4], id)
    redis.call('ZADD', KEYS[4], seq, id)
    applied = applied + 1
  elseif outcome == 'unchanged' then
    unchanged = unchanged + 1
  else
    stale = stale + 1
  end
end
local cursor = string.format('%d', seq)
if applied > 0 then
  redis.call('SET', KEYS[2], cursor)
end
return {'OK', epoch, cursor, applied, unchanged, stale}
