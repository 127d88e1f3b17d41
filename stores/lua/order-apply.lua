--[=[
Applies one transition of an order: the progress fields it changes, and with them, in the same
step, its events, its audit entries, its service's inventory record and its service locks. Two
guards, each optional:
- the fence: the item's current fence and the job's BullMQ lock token must be the caller's, or the
  caller is a stale execution and nothing is written but its audit entries (what it really sent);
- the phase version: the decision was taken on the progress as it is, or the caller gets the
  progress back and decides again.

KEYS[1] progress hash; every other key is referenced by index from the control document.
ARGV[1] control (MessagePack, built by stores/order-store.ts):
  id, now (ISO), fence {field, n, lock, token} (optional), stalls (the job's hash index: reset
  its stall count; optional, with a fence), pv (expected, optional), bump,
  set {field: value}, del [field], from / to (state index keys), date (ms),
  open {idx, score} (score absent: leave the open set),
  events [json], ev (stream index), maxlen,
  audit {order, ttl, entries: [[streamIdx, json | n]]} (n: the json of entry n, sent once),
  service {idx, expect, doc, state, spec, nes, srem [idx], sadd [idx]},
  acquire {locks [[lockIdx, waitersIdx, serviceId]], held [{set, events, to}]},
  release [[lockIdx, waitersIdx]], unwait [waitersIdx].
Returns {1, pv, lock ms left, outcome, held index, orders handed a lock (to start now)...},
{0, 'stale', why},
{-1, progress (flat)} on a phase-version conflict, {-2, service version} on a service conflict.
]=]
local c = cmsgpack.unpack(ARGV[1])
local P = KEYS[1]

if c.audit then
  local entries = c.audit.entries
  for _, e in ipairs(entries) do
    local json = e[2]
    if type(json) == 'number' then json = entries[json][2] end
    redis.call('XADD', KEYS[e[1]], 'MAXLEN', '~', c.audit.maxlen, '*', 'entries', json)
  end
  redis.call('EXPIRE', KEYS[c.audit.order], c.audit.ttl)
end

local validity = -1
-- The phase version, when the decision is checked against it, is read with the fence: one HMGET.
local storedPv
if c.fence then
  local f = redis.call('HMGET', P, c.fence.field, 'pv')
  if tostring(f[1]) ~= tostring(c.fence.n) then return {0, 'stale', 'fence'} end
  if redis.call('GET', KEYS[c.fence.lock]) ~= c.fence.token then return {0, 'stale', 'lock'} end
  validity = redis.call('PTTL', KEYS[c.fence.lock])
  storedPv = f[2]
  -- The job goes back alive (parked or retried): its stall count (BullMQ's `stc`) starts again.
  if c.stalls and redis.call('EXISTS', KEYS[c.stalls]) == 1 then redis.call('HSET', KEYS[c.stalls], 'stc', 0) end
elseif redis.call('EXISTS', P) == 0 then
  -- (A fence that matched was read from the hash: it exists.)
  return {0, 'stale', 'gone'}
elseif c.pv then
  storedPv = redis.call('HGET', P, 'pv')
end
if c.pv and tonumber(storedPv or '0') ~= c.pv then
  return {-1, redis.call('HGETALL', P)}
end
if c.service then
  local v = redis.call('HGET', KEYS[c.service.idx], 'v')
  if tostring(v or '') ~= tostring(c.service.expect or '') then return {-2, v or ''} end
end

local set, events, to = c.set, c.events, c.to
local outcome = 'applied'
local heldIndex = 0
local reply = {1, 0, validity, outcome, 0}
-- Gives a lock to the next order waiting for it (first come, first served), or frees it.
local function handOver(lockKey, waitersKey)
  local waiter = redis.call('LPOP', waitersKey)
  if waiter then
    redis.call('SET', lockKey, waiter)
    reply[#reply + 1] = waiter
  else
    redis.call('DEL', lockKey)
  end
end

if c.acquire then
  outcome = 'started'
  for i, lock in ipairs(c.acquire.locks) do
    local h = redis.call('GET', KEYS[lock[1]])
    if h and h ~= c.id then
      local held = c.acquire.held[i]
      set, events, to = held.set, held.events, held.to
      set['held'] = cjson.encode({serviceId = lock[3], orderId = h, since = c.now})
      -- Locks handed to this order while it waited go on to the next in line: an order holds
      -- all of its services or none, so two orders can never wait for each other.
      for _, other in ipairs(c.acquire.locks) do
        if redis.call('GET', KEYS[other[1]]) == c.id then handOver(KEYS[other[1]], KEYS[other[2]]) end
      end
      redis.call('LREM', KEYS[lock[2]], 0, c.id)
      redis.call('RPUSH', KEYS[lock[2]], c.id)
      outcome = 'held'
      heldIndex = i
      break
    end
  end
  if outcome == 'started' then
    for _, lock in ipairs(c.acquire.locks) do redis.call('SET', KEYS[lock[1]], c.id) end
  end
end

local t = redis.call('TIME')
local flat = {'chg', t[1] * 1000 + math.floor(t[2] / 1000)}
for k, v in pairs(set) do flat[#flat + 1] = k; flat[#flat + 1] = v end
redis.call('HSET', P, unpack(flat))
if c.del and #c.del > 0 then redis.call('HDEL', P, unpack(c.del)) end
local pv
-- (`set` never holds pv: what was read above is still what is stored.)
if c.bump then pv = redis.call('HINCRBY', P, 'pv', 1)
elseif storedPv ~= nil then pv = tonumber(storedPv or '0')
else pv = tonumber(redis.call('HGET', P, 'pv') or '0') end
if c.from and to and c.from ~= to then
  redis.call('ZREM', KEYS[c.from], c.id)
  redis.call('ZADD', KEYS[to], c.date, c.id)
end
if c.open then
  if c.open[2] then redis.call('ZADD', KEYS[c.open[1]], c.open[2], c.id) else redis.call('ZREM', KEYS[c.open[1]], c.id) end
end
if events then
  for _, e in ipairs(events) do
    redis.call('XADD', KEYS[c.ev], 'MAXLEN', '~', c.maxlen, '*', 'orderId', c.id, 'event', e)
  end
end

if c.service then
  local s = c.service
  redis.call('HSET', KEYS[s.idx], 'doc', s.doc, 'v', (tonumber(s.expect) or 0) + 1, 'state', s.state, 'spec', s.spec, 'nes', s.nes)
  for _, k in ipairs(s.srem) do redis.call('SREM', KEYS[k], s.id) end
  for _, k in ipairs(s.sadd) do redis.call('SADD', KEYS[k], s.id) end
end

reply[2], reply[4], reply[5] = pv, outcome, heldIndex
if c.release then
  for _, lock in ipairs(c.release) do
    if redis.call('GET', KEYS[lock[1]]) == c.id then handOver(KEYS[lock[1]], KEYS[lock[2]]) end
  end
end
if c.unwait then
  for _, k in ipairs(c.unwait) do redis.call('LREM', KEYS[k], 0, c.id) end
end
return reply
