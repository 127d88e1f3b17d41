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
local phase = redis.call('HGET', KEYS[1], item .. '|ph')
if phase ~= ARGV[2] then
  return {0, phase or '', redis.call('HGET', KEYS[1], 'st') or ''}
end
if redis.call('GET', KEYS[3]) ~= ARGV[3] then return {0, 'lock', ''} end
local fence = redis.call('HINCRBY', KEYS[1], item .. '|fence', 1)
if ARGV[5] == '1' then redis.call('HINCRBY', KEYS[1], item .. '|att', 1) end
redis.call('HSETNX', KEYS[1], item .. '|t0', ARGV[4])
if ARGV[6] == '1' then
  local first = redis.call('HGET', KEYS[2], item .. '|first')
  if first then redis.call('HSETNX', KEYS[1], item .. '|L|activate|' .. first, fence .. '|pending') end
end
local spec = redis.call('HGET', KEYS[2], item .. '|spec')
local service = {false, false}
if KEYS[4] then service = redis.call('HMGET', KEYS[4], 'doc', 'v') end
return {1, fence, redis.call('PTTL', KEYS[3]), redis.call('HGETALL', KEYS[1]), spec or false, service[1], service[2]}
