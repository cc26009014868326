-- admit.lua: let one job of a match generate, atomically (never check-then-set).
-- KEYS[1]  the match's in-progress flag (hash: owner, messageId, since)
-- KEYS[2]  the match's recent questions (list of "<ms>|<normalised text>", newest first)
-- KEYS[3]  the match's recent replies (same shape)
-- KEYS[4]  the answered marker of this job's messageId
-- ARGV[1]  owner token (unique per attempt)
-- ARGV[2]  messageId
-- ARGV[3]  now, epoch ms (the client's clock: scripts must not call TIME on a cluster)
-- ARGV[4]  guard TTL, ms: lifetime of the flag, and age beyond which recent entries are ignored
-- Returns  {'ANSWERED'}
--        | {'IN_PROGRESS', holderMessageId, heldForMs}
--        | {'GRANTED', {recent questions...}, {recent replies...}}  (texts only, younger than the TTL)
if redis.call('EXISTS', KEYS[4]) == 1 then
  return {'ANSWERED'}
end
local now = tonumber(ARGV[3])
local holder = redis.call('HMGET', KEYS[1], 'messageId', 'since')
if holder[1] then
  return {'IN_PROGRESS', holder[1], tostring(now - (tonumber(holder[2]) or now))}
end
redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'messageId', ARGV[2], 'since', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])

local oldest = now - tonumber(ARGV[4])
local function recent(key)
  local texts = {}
  for _, entry in ipairs(redis.call('LRANGE', key, 0, -1)) do
    local sep = string.find(entry, '|', 1, true)
    if sep and tonumber(string.sub(entry, 1, sep - 1)) >= oldest then
      texts[#texts + 1] = string.sub(entry, sep + 1)
    end
  end
  return texts
end
return {'GRANTED', recent(KEYS[2]), recent(KEYS[3])}
