-- commit.lua: the outbox. Records a reply — its replyId, text and the messages it answers — before it
-- is delivered, with the answered markers and the markers of the repeats it covers; or, if messages
-- were handed over since the holder last looked, writes nothing and returns them to be covered too.
-- Idempotent by replyId: a retry of a commit that ran finds its outbox entry and reports it again.
-- KEYS[1]  the match's in-progress flag (hash: owner, messageId, since, question)
-- KEYS[2]  recent questions (list "<ms>|<normalised question>", newest first)
-- KEYS[3]  recent replies (list "<ms>|<reply entry JSON>", newest first)
-- KEYS[4]  handed-over messages (hash: messageId -> entry JSON)
-- KEYS[5]  failed attempts per handed-over message (hash)
-- KEYS[6]  parked handed-over messages (not written here)
-- KEYS[7]  outbox (hash: replyId -> "<committed ms>|<reply JSON>")
-- KEYS[8…] answered markers: of the n messages the reply answers, then of the m repeats
-- ARGV[1]  owner token of the job committing
-- ARGV[2]  replyId, or '' when nothing is delivered (repeats only, or a dropped re-answer)
-- ARGV[3]  now, epoch ms
-- ARGV[4]  recent window, ms (TTL of the recent lists)
-- ARGV[5]  answered TTL, ms (markers and the outbox)
-- ARGV[6]  how many entries each recent list keeps
-- ARGV[7]  lease, ms: the flag's new lifetime when it is kept for a follow-up
-- ARGV[8]  '1' to commit even if newer messages were handed over (they are returned as leftovers)
-- ARGV[9]  the reply JSON for the outbox, or ''
-- ARGV[10] the reply's entry for the recent replies, or ''
-- ARGV[11] n, ARGV[12] m
-- ARGV[13…] n pairs (messageId, normalised question); then m messageIds (repeats); then the
--          messageIds of handed-over messages seen and left for a follow-up (deferred)
-- Returns  {'LOST'}                 the flag is no longer this job's: nothing written
--        | {'PENDING', {entries}}   newer handed-over messages, nothing written (ARGV[8] = '0')
--        | {'COMMITTED', {entries}} written; leftover handed-over entries: the flag is kept for them,
--                                   else it is cleared
local n = tonumber(ARGV[11])
local m = tonumber(ARGV[12])
local replyId = ARGV[2]

local function leftovers()
  return redis.call('HVALS', KEYS[4])
end

if replyId ~= '' and redis.call('HEXISTS', KEYS[7], replyId) == 1 then
  return {'COMMITTED', leftovers()}
end
if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then
  if replyId == '' and n + m > 0 then
    local done = true
    for k = 8, 7 + n + m do
      if redis.call('EXISTS', KEYS[k]) == 0 then done = false end
    end
    if done then return {'COMMITTED', {}} end
  end
  return {'LOST'}
end

local covered = {}
for i = 0, n - 1 do covered[ARGV[13 + 2 * i]] = true end
for i = 13 + 2 * n, #ARGV do covered[ARGV[i]] = true end
local newer = {}
local handed = redis.call('HGETALL', KEYS[4])
for i = 1, #handed, 2 do
  if not covered[handed[i]] then newer[#newer + 1] = handed[i + 1] end
end
if #newer > 0 and ARGV[8] ~= '1' then
  return {'PENDING', newer}
end

local now = ARGV[3]
local keep = tonumber(ARGV[6]) - 1
for i = 0, n - 1 do
  local id = ARGV[13 + 2 * i]
  redis.call('SET', KEYS[8 + i], replyId, 'PX', ARGV[5])
  redis.call('HDEL', KEYS[4], id)
  redis.call('HDEL', KEYS[5], id)
  redis.call('LPUSH', KEYS[2], now .. '|' .. ARGV[14 + 2 * i])
end
for j = 0, m - 1 do
  local id = ARGV[13 + 2 * n + j]
  redis.call('SET', KEYS[8 + n + j], 'repeat', 'PX', ARGV[5], 'NX')
  redis.call('HDEL', KEYS[4], id)
  redis.call('HDEL', KEYS[5], id)
end
if n > 0 then
  redis.call('LTRIM', KEYS[2], 0, keep)
  redis.call('PEXPIRE', KEYS[2], ARGV[4])
end
if ARGV[10] ~= '' then
  redis.call('LPUSH', KEYS[3], now .. '|' .. ARGV[10])
  redis.call('LTRIM', KEYS[3], 0, keep)
  redis.call('PEXPIRE', KEYS[3], ARGV[4])
end
if ARGV[9] ~= '' then
  redis.call('HSET', KEYS[7], replyId, now .. '|' .. ARGV[9])
  redis.call('PEXPIRE', KEYS[7], ARGV[5])
  -- entries whose markers have expired serve no one: drop them (a few per commit)
  local oldest = tonumber(now) - tonumber(ARGV[5])
  local entries = redis.call('HGETALL', KEYS[7])
  for i = 1, math.min(#entries, 40), 2 do
    local sep = string.find(entries[i + 1], '|', 1, true)
    if sep and tonumber(string.sub(entries[i + 1], 1, sep - 1)) < oldest then
      redis.call('HDEL', KEYS[7], entries[i])
    end
  end
end
local left = leftovers()
if #left > 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[7])
else
  redis.call('DEL', KEYS[1])
end
return {'COMMITTED', left}
