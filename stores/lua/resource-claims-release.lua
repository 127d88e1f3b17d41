--[=[
Releases claims, each only while its holder is still the one given (a claim taken since by
another service is left alone).

KEYS[1..n] the claim hash of each NE.
ARGV[1] JSON array of {k = key index, r = resource, h = holder JSON}.
Returns the number of claims released.
]=]
local claims = cjson.decode(ARGV[1])
local n = 0
for _, c in ipairs(claims) do
  if redis.call('HGET', KEYS[c.k], c.r) == c.h then
    redis.call('HDEL', KEYS[c.k], c.r)
    n = n + 1
  end
end
return n
