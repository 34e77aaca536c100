-- Prepended to the scripts that must notice a Redis that may have lost writes: the identity of the history this
-- script runs in, as the process (run id: any restart, from whatever file) and its replication history (replication
-- id: a promoted replica, also a former primary promoted again). Either changing may mean lost writes.
local function redis_origin()
  local run = string.match(redis.call('INFO', 'server'), 'run_id:(%w+)')
  local replication = string.match(redis.call('INFO', 'replication'), 'master_replid:(%w+)')
  if not run or not replication then
    error('NOORIGIN Redis did not report its run id and replication id (INFO server, INFO replication)')
  end
  return run .. ':' .. replication
end
