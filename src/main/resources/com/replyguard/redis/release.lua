-- release.lua: the holder gives up (its generation failed, or no time is left): it marks the repeats
-- it judged, counts a failed attempt for each handed-over message that was part of the failed
-- generation — parking those that failed too often, so that one poison message cannot block its
-- match — and clears the flag only if the caller still owns it (compare-and-delete).
-- KEYS[1]  the match's in-progress flag (hash: owner, messageId, since, question)
-- KEYS[2]  handed-over messages (hash: messageId -> entry JSON)
-- KEYS[3]  failed attempts per handed-over message (hash: messageId -> count)
-- KEYS[4]  parked handed-over messages (hash: messageId -> entry JSON)
-- KEYS[5…] answered markers of the repeats (in the order of ARGV[7 + k…])
-- ARGV[1]  owner token of the job releasing
-- ARGV[2]  failed attempts after which a handed-over message is parked
-- ARGV[3]  TTL of the parked hash, ms
-- ARGV[4]  answered TTL, ms (repeat markers)
-- ARGV[5]  TTL of the attempts hash when it is created, ms
-- ARGV[6]  k, how many handed-over messages were part of the failed generation
-- ARGV[7…] their k messageIds, then the repeats' messageIds
-- Returns  {released '1'|'0', {parked messageIds}}
local k = tonumber(ARGV[6])
local parked = {}
for i = 7, 6 + k do
  local id = ARGV[i]
  local entry = redis.call('HGET', KEYS[2], id)
  if entry then
    local failures = redis.call('HINCRBY', KEYS[3], id, 1)
    if redis.call('PTTL', KEYS[3]) < 0 then
      redis.call('PEXPIRE', KEYS[3], ARGV[5])
    end
    if failures >= tonumber(ARGV[2]) then
      redis.call('HSET', KEYS[4], id, entry)
      redis.call('PEXPIRE', KEYS[4], ARGV[3])
      redis.call('HDEL', KEYS[2], id)
      redis.call('HDEL', KEYS[3], id)
      parked[#parked + 1] = id
    end
  end
end
for j = 5, #KEYS do
  redis.call('SET', KEYS[j], 'repeat', 'PX', ARGV[4], 'NX')
  redis.call('HDEL', KEYS[2], ARGV[7 + k + j - 5])
end
local released = '0'
if redis.call('HGET', KEYS[1], 'owner') == ARGV[1] then
  redis.call('DEL', KEYS[1])
  released = '1'
end
return {released, parked}
