-- Applies a validated batch, whole: series cap, precedence, series hashes, expiry index, snapshot order, change feed
-- and the batch's family descriptions.
-- KEYS[1] meta, KEYS[2] seq, KEYS[3] index, KEYS[4] changes, KEYS[5] tombstones, KEYS[6] families hash (name ->
-- type, newline, help), KEYS[7] families expiry sorted set, KEYS[8] order (series sort keys, score 0), KEYS[9] the
-- lease or lock hash the batch is written under (meta again for a batch without one), KEYS[10..] one series hash per
-- point
-- ARGV[1] candidate epoch, ARGV[2] layout version, ARGV[3] now (ms), ARGV[4] max series, ARGV[5] source,
-- ARGV[6] key expiry margin (ms), ARGV[7] '1' to write the sequence even when nothing changed (so that a WAIT
-- after a replayed batch also covers the first attempt's writes), ARGV[8] the families' expiry (ms),
-- ARGV[9] f = number of families, ARGV[10] m = number of distinct ids, ARGV[11] the watch channel, ARGV[12] '1' for a
-- batch written under a lease or lock ('' otherwise), ARGV[13] its token, ARGV[14] the writer's identity, ARGV[15] the
-- most live family descriptions, then f pairs:
-- family name, type and help joined by a newline; then the m ids; then per point 6 values: id, value,
-- updatedAt (ms), rank, expiry (ms), sort key
-- A batch that changed anything publishes 'feed <epoch> <sequence>' on the watch channel: every replica's watchers
-- wake at once (pub/sub is no key, so Redis Cluster broadcasts it to every node).
-- A fenced batch is applied only if its token holds the lease or lock for the writer at now, checked here, in the same
-- atomic step as the write: no campaign, release or expiry can fall between the check and the write.
-- Returns {'OK', epoch, seq, applied, unchanged, stale, fence ('' when unfenced)}, {'FENCED'} when the lease or lock
-- is not held by that token (free), {'FENCED', holder, fence, expiry} when someone else holds it (holder '' for a
-- lock), {'CAP', epoch, live, created}, {'FAMILIES', epoch, live, created} or {'LAYOUT', layout found}.
local epoch, found = current_epoch(KEYS[1], ARGV[1], ARGV[2])
if not epoch then
  return {'LAYOUT', found}
end
local now = tonumber(ARGV[3])
local max = tonumber(ARGV[4])
local margin = tonumber(ARGV[6])
local f = tonumber(ARGV[9])
local m = tonumber(ARGV[10])
local ids = 16 + 2 * f
local fence = ''
if ARGV[12] == '1' then
  local held = redis.call('HMGET', KEYS[9], 'token', 'fence', 'exp', 'owner', 'holder')
  local live = held[1] and tonumber(held[3] or '0') > now
  -- A lock written before identities were kept has no owner and binds nobody (as in extend.lua).
  if not (live and held[1] == ARGV[13] and ((not held[4]) or held[4] == ARGV[14])) then
    if live then
      return {'FENCED', held[5] or '', held[2], held[3]}
    end
    return {'FENCED'}
  end
  fence = held[2]
end
-- Live series have an expiry after now; an expired member not yet collected counts as new if written again.
-- The ids are looked up one by one only when the batch could reach the cap at all.
local live = redis.call('ZCOUNT', KEYS[3], '(' .. ARGV[3], '+inf')
if live + m > max then
  local created = 0
  for i = ids, ids + m - 1 do
    local expiry = redis.call('ZSCORE', KEYS[3], ARGV[i])
    if (not expiry) or tonumber(expiry) <= now then
      created = created + 1
    end
  end
  -- Only new series count: updates are never refused, even when a lowered cap is below the live count.
  if created > 0 and live + created > max then
    return {'CAP', epoch, live, created}
  end
end
-- The same rule for family descriptions: re-describing a live family never counts.
if f > 0 and redis.call('HLEN', KEYS[6]) + f > tonumber(ARGV[15]) then
  local described = redis.call('ZCOUNT', KEYS[7], '(' .. ARGV[3], '+inf')
  local created = 0
  for i = 16, ids - 1, 2 do
    local expiry = redis.call('ZSCORE', KEYS[7], ARGV[i])
    if (not expiry) or tonumber(expiry) <= now then
      created = created + 1
    end
  end
  if created > 0 and described + created > tonumber(ARGV[15]) then
    return {'FAMILIES', epoch, described, created}
  end
end
local applied, unchanged, stale = 0, 0, 0
-- The sequence is read once and written back once: the script is atomic, so nothing else can take a number.
local seq = tonumber(redis.call('GET', KEYS[2]) or '0')
local base = ids + m
for j = 10, #KEYS do
  local a = base + (j - 10) * 6
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
    -- A new (or re-created) series: it may have a tombstone to drop, and takes its place in the snapshot order.
    redis.call('ZREM', KEYS[5], id)
    redis.call('ZADD', KEYS[8], 0, ARGV[a + 5])
  end
  if outcome == 'applied' then
    seq = seq + 1
    redis.call('HSET', KEYS[j], 'v', value, 't', ARGV[a + 2], 's', ARGV[5], 'r', ARGV[a + 3])
    -- Redis' own expiry comes a margin after the store's rule (the index score), never before it.
    redis.call('PEXPIREAT', KEYS[j], string.format('%d', tonumber(ARGV[a + 4]) + margin))
    redis.call('ZADD', KEYS[3], ARGV[a + 4], id)
    redis.call('ZADD', KEYS[4], string.format('%d', seq), id)
    applied = applied + 1
  elseif outcome == 'unchanged' then
    unchanged = unchanged + 1
  else
    stale = stale + 1
  end
end
for i = 16, ids - 1, 2 do
  redis.call('HSET', KEYS[6], ARGV[i], ARGV[i + 1])
  redis.call('ZADD', KEYS[7], ARGV[8], ARGV[i])
end
local cursor = string.format('%d', seq)
if applied > 0 or ARGV[7] == '1' then
  redis.call('SET', KEYS[2], cursor)
end
if applied > 0 or f > 0 then
  redis.call('PUBLISH', ARGV[11], 'feed ' .. epoch .. ' ' .. cursor)
end
return {'OK', epoch, cursor, applied, unchanged, stale, fence}
