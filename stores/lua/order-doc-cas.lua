--[=[
Replaces the order as posted (the TMF641 PATCH of description, notes and the like) when it is
still what the caller read, and appends the change's event.

KEYS[1] doc hash   KEYS[2] events stream
ARGV[1] order id   ARGV[2] the doc the caller read   ARGV[3] the new doc   ARGV[4] events maxlen
ARGV[5] the event (JSON), or '' for none
Returns 1 replaced, 0 changed meanwhile (read again), -1 gone.
]=]
local doc = redis.call('HGET', KEYS[1], 'doc')
if not doc then return -1 end
if doc ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], 'doc', ARGV[3])
if ARGV[5] ~= '' then redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], '*', 'orderId', ARGV[1], 'event', ARGV[5]) end
return 1
