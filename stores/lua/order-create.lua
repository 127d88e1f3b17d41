--[=[
Stores a new order: its progress and doc hashes, its place in the indexes, its first events.
When the order starts now, it takes the lock of every service it changes, all or none: if one is
held by another order, the order is stored waiting (pending) instead and queued behind that one.

KEYS[1] progress hash   KEYS[2] doc hash   KEYS[3] orders by date   KEYS[4] events stream
KEYS[5..] referenced by index from the control document.
ARGV[1] control (MessagePack, built by stores/order-store.ts):
  id, now (ISO), date (ms), ext (key index of the externalId key, optional), maxlen,
  base {field: value} (written in every case), doc {field: value}, open {idx, score} (optional),
  started (true when the order starts now), main {fields, events, stateKey}: the order as
  stored when it is created, or starts now and takes its locks (or has none),
  locks [[lockIdx, waitersIdx, serviceId]] (optional),
  held [{fields, events, stateKey}] one per lock: the order as stored when that lock is the
  first one another order holds.
Returns {1, 'created'|'started'|'held', holder or '', index of the held lock (1-based, 0 if none)}
or {0, id of the order that exists}.
]=]
local c = cmsgpack.unpack(ARGV[1])
if c.ext then
  local existing = redis.call('GET', KEYS[c.ext])
  if existing then return {0, existing} end
end
if redis.call('EXISTS', KEYS[1]) == 1 then return {0, c.id} end

local outcome = c.started and 'started' or 'created'
local chosen = c.main
local holder
local heldIndex = 0
if c.locks and #c.locks > 0 then
  for i, lock in ipairs(c.locks) do
    local h = redis.call('GET', KEYS[lock[1]])
    if h and h ~= c.id then
      holder = h
      chosen = c.held[i]
      chosen.fields['held'] = cjson.encode({serviceId = lock[3], orderId = h, since = c.now})
      redis.call('RPUSH', KEYS[lock[2]], c.id)
      outcome = 'held'
      heldIndex = i
      break
    end
  end
  if outcome == 'started' then
    for _, lock in ipairs(c.locks) do redis.call('SET', KEYS[lock[1]], c.id) end
  end
end

local t = redis.call('TIME')
local flat = {}
for k, v in pairs(c.base) do flat[#flat + 1] = k; flat[#flat + 1] = v end
for k, v in pairs(chosen.fields) do flat[#flat + 1] = k; flat[#flat + 1] = v end
redis.call('HSET', KEYS[1], 'pv', 1, 'chg', t[1] * 1000 + math.floor(t[2] / 1000), unpack(flat))
flat = {}
for k, v in pairs(c.doc) do flat[#flat + 1] = k; flat[#flat + 1] = v end
redis.call('HSET', KEYS[2], unpack(flat))
redis.call('ZADD', KEYS[3], c.date, c.id)
redis.call('ZADD', KEYS[chosen.stateKey], c.date, c.id)
if c.open then redis.call('ZADD', KEYS[c.open[1]], c.open[2], c.id) end
if c.ext then redis.call('SET', KEYS[c.ext], c.id) end
for _, e in ipairs(chosen.events) do
  redis.call('XADD', KEYS[4], 'MAXLEN', '~', c.maxlen, '*', 'orderId', c.id, 'event', e)
end
return {1, outcome, holder or '', heldIndex}
