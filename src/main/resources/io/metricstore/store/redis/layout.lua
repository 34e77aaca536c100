-- Prepended to the scripts that write outside the feed (the locks'): the key layout recorded in the
-- namespace's meta hash when it is not this version's, in which case the script writes nothing.
local function other_layout(meta, layout)
  local found = redis.call('HGET', meta, 'layout')
  if found and found ~= layout then
    return found
  end
  return nil
end
