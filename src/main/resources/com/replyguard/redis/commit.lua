-- commit.lua: record a message as answered, remember its question and reply, clear the flag if ours.
-- KEYS[1]  the match's in-progress flag (hash: owner, messageId, since)
-- KEYS[2]  the match's recent questions (list of "<ms>|<normalised text>", newest first)
-- KEYS[3]  the match's recent replies (same shape)
-- KEYS[4]  the answered marker of this job's messageId
-- ARGV[1]  owner token of the job committing
-- ARGV[2]  now, epoch ms
-- ARGV[3]  guard TTL, ms (recent lists)
-- ARGV[4]  answered TTL, ms (answered marker)
-- ARGV[5]  normalised question
-- ARGV[6]  normalised reply that was delivered, or '' when the reply was dropped as a duplicate
-- ARGV[7]  how many entries each recent list keeps
-- Returns  1 if the flag was still ours and is now cleared, 0 if it had expired or belongs to another job
redis.call('SET', KEYS[4], ARGV[2], 'PX', ARGV[4])
local keep = tonumber(ARGV[7]) - 1
redis.call('LPUSH', KEYS[2], ARGV[2] .. '|' .. ARGV[5])
redis.call('LTRIM', KEYS[2], 0, keep)
redis.call('PEXPIRE', KEYS[2], ARGV[3])
if ARGV[6] ~= '' then
  redis.call('LPUSH', KEYS[3], ARGV[2] .. '|' .. ARGV[6])
  redis.call('LTRIM', KEYS[3], 0, keep)
  redis.call('PEXPIRE', KEYS[3], ARGV[3])
end
if redis.call('HGET', KEYS[1], 'owner') == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
