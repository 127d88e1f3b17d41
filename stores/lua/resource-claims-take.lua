--[=[
Takes an order's resource claims, all or none: each is a field (the resource) of its NE's claim
hash, whose value is the holder (JSON: serviceId, orderId, itemId, specId). A field held by
the same service is its own; one held by another is a conflict, unless the caller found that
holder lapsed (its service deleted, its add ended) and passes exactly that value to replace.
A claim with v set is only checked (held by that service or by nobody) and left as it is.

KEYS[1..n] the claim hash of each NE (stores/keyspace.ts resourceClaims).
ARGV[1] JSON array of {k = key index, r = resource, h = holder JSON, s = serviceId, v = 1 or nil, lapsed = holder JSON or nil}.
Returns {1, fresh} when every claim is taken (fresh: the 1-based indexes of the claims written
that the service did not hold before), or {0, i, value} for the first claim (1-based) held by another.
]=]
local claims = cjson.decode(ARGV[1])
for i, c in ipairs(claims) do
  local cur = redis.call('HGET', KEYS[c.k], c.r)
  if cur and cur ~= c.lapsed and cjson.decode(cur).serviceId ~= c.s then return {0, i, cur} end
end
-- Every claim taken now names this order (a modify re-claiming what its service names holds it for the
-- modify's run); the reply lists the claims that were not the service's own before, the only
-- ones a release of this order may take away again.
local fresh = {}
for i, c in ipairs(claims) do
  if not c.v then
    local cur = redis.call('HGET', KEYS[c.k], c.r)
    if not cur or cur == c.lapsed or cjson.decode(cur).serviceId ~= c.s then fresh[#fresh + 1] = i end
    redis.call('HSET', KEYS[c.k], c.r, c.h)
  end
end
return {1, fresh}
