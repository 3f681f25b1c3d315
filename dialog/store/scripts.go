package store

import "github.com/redis/go-redis/v9"

// touchScript refreshes a live call: KEYS[1] info, KEYS[2] live hash (one slot); ARGV[1] the
// TTL in ms, then field/value pairs. It does nothing and returns 0 once the info hash is gone
// (the call was sealed, possibly by another node's Recover), so a late heartbeat never
// resurrects a sealed call; it rebuilds the live hash from info if it expired during an
// outage.
var touchScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('EXISTS', KEYS[2]) == 0 then
  local f = redis.call('HGETALL', KEYS[1])
  if #f > 0 then redis.call('HSET', KEYS[2], unpack(f)) end
end
if #ARGV > 1 then redis.call('HSET', KEYS[2], unpack(ARGV, 2)) end
redis.call('PEXPIRE', KEYS[2], ARGV[1])
return 1
`)

// unlockScript deletes KEYS[1] only if it still holds ARGV[1], so a holder whose lock expired
// never frees someone else's.
var unlockScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`)
