-- release.lua: clear the in-progress flag only if the caller still owns it (compare-and-delete).
-- KEYS[1]  the match's in-progress flag (hash: owner, messageId, since, question)
-- ARGV[1]  owner token of the job releasing
-- Returns  1 if the flag was ours and is cleared, 0 if it had expired or belongs to another job
if redis.call('HGET', KEYS[1], 'owner') == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
