--[=[
Renews or gives up a lease held by its owner, and nobody else's: a process whose lease expired
and was taken by another must not extend or delete the new holder's.

KEYS[1] lease key
ARGV[1] owner   ARGV[2] new time to live in ms, or 0 to give the lease up
Returns 1 done, 0 the lease is not (or no longer) the owner's.
]=]
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '0' then
  redis.call('DEL', KEYS[1])
else
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 1
