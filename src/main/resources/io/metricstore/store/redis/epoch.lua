-- Prepended to every script that touches the change feed. The epoch identifies the store's state: it is created
-- by whichever script first finds it missing (a new or lost state), so a flushed Redis gets a new one.
local function ensure_epoch(key, candidate)
  local epoch = redis.call('GET', key)
  if not epoch then
    redis.call('SET', key, candidate)
    return candidate
  end
  return epoch
end
