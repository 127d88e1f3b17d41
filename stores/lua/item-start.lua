--[=[
A worker begins one execution of an item (activation, rollback, or abort). It checks that the
item is in the phase the job is for and that the worker holds the job's BullMQ lock, then takes
a new fence: every later transition of this execution must present it. The reply carries what
the worker needs to run: the progress, the item's spec and its service, so nothing else is read.

KEYS[1] progress hash   KEYS[2] doc hash   KEYS[3] the job's BullMQ lock   KEYS[4] service hash (optional)
ARGV[1] item id   ARGV[2] phase the job expects   ARGV[3] the job's lock token   ARGV[4] now (ISO)
ARGV[5] '1' when this execution counts as an activation attempt
ARGV[6] '1' to record the item's first planned step (doc field <item>|first) pending under the new
        fence, unless an earlier attempt recorded it: the write that follows needs no round trip
Returns {0, phase, order state} when stale; {1, fence, lock ms left, progress (flat), spec, service doc, service version}.
]=]
local item = ARGV[1]
-- The progress is read once, first: the phase check uses it, and the fields this script writes
-- are patched into it, so the reply is the progress as stored when the script ends.
local flat = redis.call('HGETALL', KEYS[1])
local at = {}
for i = 1, #flat, 2 do at[flat[i]] = i + 1 end
local function field(name) local i = at[name]; return i and flat[i] end
local function put(name, value)
  local i = at[name]
  if i then flat[i] = value else flat[#flat + 1] = name; flat[#flat + 1] = value; at[name] = #flat end
end
local phase = field(item .. '|ph')
if phase ~= ARGV[2] then
  return {0, phase or '', field('st') or ''}
end
if redis.call('GET', KEYS[3]) ~= ARGV[3] then return {0, 'lock', ''} end
-- Everything this execution writes is computed from the progress read above (a script runs
-- alone: nothing changes it meanwhile) and written in one HSET.
local writes = {}
local function write(name, value) put(name, value); writes[#writes + 1] = name; writes[#writes + 1] = value end
local fence = (tonumber(field(item .. '|fence')) or 0) + 1
write(item .. '|fence', tostring(fence))
if ARGV[5] == '1' then write(item .. '|att', tostring((tonumber(field(item .. '|att')) or 0) + 1)) end
if not field(item .. '|t0') then write(item .. '|t0', ARGV[4]) end
local doc = redis.call('HMGET', KEYS[2], item .. '|spec', item .. '|first')
if ARGV[6] == '1' and doc[2] then
  local ledger = item .. '|L|activate|' .. doc[2]
  if not field(ledger) then write(ledger, fence .. '|pending') end
end
redis.call('HSET', KEYS[1], unpack(writes))
local service = {false, false}
if KEYS[4] then service = redis.call('HMGET', KEYS[4], 'doc', 'v') end
return {1, fence, redis.call('PTTL', KEYS[3]), flat, doc[1] or false, service[1], service[2]}
