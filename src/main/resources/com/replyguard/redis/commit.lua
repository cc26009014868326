-- commit.lua: record the messages a reply answers, before it is delivered; or, if messages were handed
-- over since the holder last looked, write nothing and return them so the reply can cover them too.
-- KEYS[1]  the match's in-progress flag (hash: owner, messageId, since, question)
-- KEYS[2]  the match's recent questions (list of "<ms>|<normalised text>", newest first)
-- KEYS[3]  the match's recent replies (same shape)
-- KEYS[4]  the match's handed-over messages (hash: messageId -> entry JSON)
-- KEYS[5…] answered markers of the messages this reply answers, in the order of ARGV[8…]
-- ARGV[1]  owner token of the job committing
-- ARGV[2]  now, epoch ms
-- ARGV[3]  guard TTL, ms (flag and recent lists)
-- ARGV[4]  answered TTL, ms (answered markers)
-- ARGV[5]  how many entries each recent list keeps
-- ARGV[6]  normalised reply to be delivered, or '' when the reply is dropped as a duplicate
-- ARGV[7]  '1' to commit even if newer messages were handed over (they are returned as leftovers)
-- ARGV[8…] for each answered marker: messageId, normalised question
-- Returns  {'LOST'}                 the flag is no longer this job's: nothing written
--        | {'PENDING', {entries}}   newer handed-over messages, nothing written (ARGV[7] = '0')
--        | {'COMMITTED', {entries}} written; the flag is cleared, or kept for a follow-up when leftovers
if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then
  return {'LOST'}
end
local included = {}
for i = 8, #ARGV, 2 do
  included[ARGV[i]] = true
end
local newer = {}
local handed = redis.call('HGETALL', KEYS[4])
for i = 1, #handed, 2 do
  if not included[handed[i]] then
    newer[#newer + 1] = handed[i + 1]
  end
end
if #newer > 0 and ARGV[7] ~= '1' then
  return {'PENDING', newer}
end

local keep = tonumber(ARGV[5]) - 1
for k = 5, #KEYS do
  local arg = 8 + (k - 5) * 2
  redis.call('SET', KEYS[k], ARGV[2], 'PX', ARGV[4])
  redis.call('HDEL', KEYS[4], ARGV[arg])
  redis.call('LPUSH', KEYS[2], ARGV[2] .. '|' .. ARGV[arg + 1])
end
redis.call('LTRIM', KEYS[2], 0, keep)
redis.call('PEXPIRE', KEYS[2], ARGV[3])
if ARGV[6] ~= '' then
  redis.call('LPUSH', KEYS[3], ARGV[2] .. '|' .. ARGV[6])
  redis.call('LTRIM', KEYS[3], 0, keep)
  redis.call('PEXPIRE', KEYS[3], ARGV[3])
end
if #newer > 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
else
  redis.call('DEL', KEYS[1])
end
return {'COMMITTED', newer}
