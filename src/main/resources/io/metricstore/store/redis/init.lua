-- Creates the epoch of a new namespace (or replaces it, see state.lua), for the read scripts, which never write.
-- KEYS[1] meta; ARGV[1] candidate epoch, ARGV[2] layout version
-- Returns {'OK', epoch} or {'LAYOUT', layout found}.
local epoch, found = current_epoch(KEYS[1], ARGV[1], ARGV[2])
if not epoch then
  return {'LAYOUT', found}
end
return {'OK', epoch}
