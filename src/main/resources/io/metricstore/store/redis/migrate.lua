-- One step of the migration of a namespace from key layout 2/1 to this one, which adds the order set: the members of
-- the expiry index (every stored series) are listed a page at a time, their sort keys (computed by the replica) added
-- to the order set, and the layout recorded once the set holds as many members as the index. One replica migrates at
-- a time, holding the migration key; the others wait. Nothing else changes: the epoch, the feed and every cursor stay.
-- KEYS[1] meta, KEYS[2] index, KEYS[3] order, KEYS[4] migration (the migrating replica's token, expiring)
-- ARGV[1] the layout migrated from, ARGV[2] this layout, ARGV[3] step: 'start', 'list', 'add' or 'finish',
-- ARGV[4] the migrating replica's token, ARGV[5] how long its hold lasts without a step (ms); for 'list' ARGV[6] the
-- offset in the index and ARGV[7] the page size; for 'add' ARGV[6..] sort keys
-- Returns {'DONE'} when the namespace holds another layout than ARGV[1] (migrated meanwhile), {'BUSY'} when another
-- replica migrates, {'OK'} (with the ids listed, for 'list'), or {'RETRY'} when the index changed during the
-- migration (a replica of the old layout still writes): the set is dropped and the migration starts again.
if redis.call('HGET', KEYS[1], 'layout') ~= ARGV[1] then
  return {'DONE'}
end
local holder = redis.call('GET', KEYS[4])
if ARGV[3] == 'start' then
  if holder and holder ~= ARGV[4] then
    return {'BUSY'}
  end
  redis.call('SET', KEYS[4], ARGV[4], 'PX', ARGV[5])
  redis.call('DEL', KEYS[3])
  return {'OK'}
end
if holder ~= ARGV[4] then
  return {'BUSY'}
end
redis.call('PEXPIRE', KEYS[4], ARGV[5])
if ARGV[3] == 'list' then
  local offset = tonumber(ARGV[6])
  local ids = redis.call('ZRANGE', KEYS[2], offset, offset + tonumber(ARGV[7]) - 1)
  table.insert(ids, 1, 'OK')
  return ids
end
if ARGV[3] == 'add' then
  for i = 6, #ARGV do
    redis.call('ZADD', KEYS[3], 0, ARGV[i])
  end
  return {'OK'}
end
redis.call('DEL', KEYS[4])
if redis.call('ZCARD', KEYS[3]) ~= redis.call('ZCARD', KEYS[2]) then
  redis.call('DEL', KEYS[3])
  return {'RETRY'}
end
redis.call('HSET', KEYS[1], 'layout', ARGV[2])
return {'OK'}
