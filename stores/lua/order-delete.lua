--[=[
Removes a final order (TMF641 DELETE, housekeeping): its hashes, its audit stream and its index
entries. The state is checked here, so an order that moved on meanwhile is never deleted.

KEYS[1] progress hash  KEYS[2] doc hash  KEYS[3] orders by date  KEYS[4] open orders
KEYS[5] its audit stream  KEYS[6] the externalId key (or a key that does not exist)
KEYS[7..] the state index of each final state, in the order of ARGV[2..]
ARGV[1] order id   ARGV[2..] the final states
Returns 1 deleted, 0 missing, -1 not final.
]=]
local state = redis.call('HGET', KEYS[1], 'st')
if not state then return 0 end
local index
for i = 2, #ARGV do if ARGV[i] == state then index = 5 + i end end
if not index then return -1 end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[5])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('ZREM', KEYS[index], ARGV[1])
if redis.call('GET', KEYS[6]) == ARGV[1] then redis.call('DEL', KEYS[6]) end
return 1
