-- rollback.lua: undo a commit whose reply could not be delivered, so that the retry answers again.
-- KEYS[1]  the match's in-progress flag (hash: owner, messageId, since, question)
-- KEYS[2]  the match's recent questions (list of "<ms>|<normalised text>")
-- KEYS[3]  the match's recent replies (same shape)
-- KEYS[4]  the match's handed-over messages (hash: messageId -> entry JSON)
-- KEYS[5…] answered markers written by the commit
-- ARGV[1]  owner token of the job rolling back (its flag, if still held, is cleared)
-- ARGV[2]  TTL of the handed-over messages, ms
-- ARGV[3]  the reply entry the commit pushed ("<ms>|<text>"), or ''
-- ARGV[4]  n, how many question entries the commit pushed
-- ARGV[5…] the n question entries, then pairs (messageId, entry JSON) to hand over again
-- Returns  how many answered markers were removed
local removed = 0
for k = 5, #KEYS do
  removed = removed + redis.call('DEL', KEYS[k])
end
if ARGV[3] ~= '' then
  redis.call('LREM', KEYS[3], 1, ARGV[3])
end
local n = tonumber(ARGV[4])
for i = 5, 4 + n do
  redis.call('LREM', KEYS[2], 1, ARGV[i])
end
local restored = false
for i = 5 + n, #ARGV, 2 do
  redis.call('HSET', KEYS[4], ARGV[i], ARGV[i + 1])
  restored = true
end
if restored then
  redis.call('PEXPIRE', KEYS[4], ARGV[2])
end
if redis.call('HGET', KEYS[1], 'owner') == ARGV[1] then
  redis.call('DEL', KEYS[1])
end
return removed
