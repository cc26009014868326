-- record.lua: record a reply sent without the guard (fail open) once Redis answers again: mark its
-- messages answered where no marker exists, drop them from the handed-over messages, end its outbox
-- entry if a commit that timed out had written one, and clear the flag the attempt may hold (an
-- admit or commit that timed out but ran).
-- KEYS[1]  the match's in-progress flag (hash: owner, messageId, since, question)
-- KEYS[2]  handed-over messages (hash)
-- KEYS[3]  failed attempts per handed-over message (hash)
-- KEYS[4]  outbox (hash)
-- KEYS[5…] answered markers of the reply's messages (in the order of ARGV[4…])
-- ARGV[1]  owner token of the attempt that failed open
-- ARGV[2]  replyId of the reply sent, or '' (nothing was sent: only clear the flag)
-- ARGV[3]  answered TTL, ms
-- ARGV[4…] the reply's messageIds
-- Returns  how many markers were written
local written = 0
for i = 5, #KEYS do
  if redis.call('SET', KEYS[i], ARGV[2], 'PX', ARGV[3], 'NX') then
    written = written + 1
  end
  redis.call('HDEL', KEYS[2], ARGV[i - 1])
  redis.call('HDEL', KEYS[3], ARGV[i - 1])
end
if ARGV[2] ~= '' then
  redis.call('HDEL', KEYS[4], ARGV[2])
end
if redis.call('HGET', KEYS[1], 'owner') == ARGV[1] then
  redis.call('DEL', KEYS[1])
end
return written
