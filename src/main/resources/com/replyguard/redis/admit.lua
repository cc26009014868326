-- admit.lua: let one job of a match generate, atomically (never check-then-set); or hand a message
-- to the job that holds the match's flag. Idempotent per owner token: run again with the same token
-- (the retry of a command that timed out but may have run), it finds its own flag and grants again.
-- KEYS[1]  the match's in-progress flag (hash: owner, messageId, since, question)
-- KEYS[2]  recent questions (list "<ms>|<normalised question>", newest first)
-- KEYS[3]  recent replies (list "<ms>|<reply entry JSON>", newest first)
-- KEYS[4]  handed-over messages (hash: messageId -> entry JSON)
-- KEYS[5]  failed attempts per handed-over message (hash: messageId -> count)
-- KEYS[6]  parked handed-over messages (not read here)
-- KEYS[7]  outbox (hash: replyId -> "<committed ms>|<reply JSON>", committed, delivery not confirmed)
-- KEYS[8…] answered markers (string: a replyId, or 'repeat'): the job's messageId first, then (admit
--          mode) the other messageIds of its batch for the match
-- ARGV[1]  owner token (unique per attempt)
-- ARGV[2]  messageId of the job
-- ARGV[3]  now, epoch ms (the client's clock: scripts must not call TIME on a cluster)
-- ARGV[4]  lease, ms: lifetime of the flag (the invocation's remaining time plus a margin)
-- ARGV[5]  recent window, ms (GUARD_TTL): older recent entries are ignored
-- ARGV[6]  the job's question, normalised (kept in the flag for similarity checks by other jobs)
-- ARGV[7]  'admit', or 'handover': if the flag is held, add ARGV[8] to the holder's handed-over messages
-- ARGV[8]  handover mode: the entry JSON {"id","text","sentAt","at"}
-- ARGV[9]  handover mode: TTL of the handed-over hash, ms, set when the hash is created (never extended)
-- ARGV[10] handover mode: the most entries the hash may hold
-- Returns  {'ANSWERED'}                                       every asked message answered or a repeat
--        | {'IN_PROGRESS', holderMessageId, leaseLeftMs, holderQuestion, states, {recent questions}, {handed-over entries}}
--        | {'HANDED_OVER', holderMessageId, leaseLeftMs}      (also when a committed reply already covers it)
--        | {'FULL', holderMessageId, leaseLeftMs}
--        | {'GRANTED', states, {recent questions}, {recent replies}, {handed-over entries}, {attempts, per entry}}
--          states: one per marker, {'0'} unanswered | {'1'} answered | {'P', committedMs, replyJson}
--          (committed, delivery not confirmed)
local now = tonumber(ARGV[3])
local states = {}
local all_done = true
for i = 8, #KEYS do
  local marker = redis.call('GET', KEYS[i])
  if not marker then
    states[#states + 1] = {'0'}
    all_done = false
  else
    local pending = marker ~= 'repeat' and redis.call('HGET', KEYS[7], marker)
    if pending then
      local sep = string.find(pending, '|', 1, true)
      states[#states + 1] = {'P', string.sub(pending, 1, sep - 1), string.sub(pending, sep + 1)}
      all_done = false
    else
      states[#states + 1] = {'1'}
    end
  end
end

local oldest = now - tonumber(ARGV[5])
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

local function grant()
  redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'messageId', ARGV[2], 'since', ARGV[3], 'question', ARGV[6])
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
  local entries = {}
  local attempts = {}
  local handed = redis.call('HGETALL', KEYS[4])
  for i = 1, #handed, 2 do
    entries[#entries + 1] = handed[i + 1]
    attempts[#attempts + 1] = redis.call('HGET', KEYS[5], handed[i]) or '0'
  end
  return {'GRANTED', states, recent(KEYS[2]), recent(KEYS[3]), entries, attempts}
end

local holder = redis.call('HMGET', KEYS[1], 'owner', 'messageId', 'question')
if holder[1] == ARGV[1] then
  return grant()
end
if ARGV[7] == 'handover' then
  if states[1][1] == '1' then
    return {'ANSWERED'}
  end
  if holder[1] then
    local left = tostring(redis.call('PTTL', KEYS[1]))
    -- a committed reply already covers it (delivery not yet confirmed): nothing to hand over
    if states[1][1] == '0' and redis.call('HEXISTS', KEYS[4], ARGV[2]) == 0 then
      if redis.call('HLEN', KEYS[4]) >= tonumber(ARGV[10]) then
        return {'FULL', holder[2], left}
      end
      redis.call('HSET', KEYS[4], ARGV[2], ARGV[8])
      if redis.call('PTTL', KEYS[4]) < 0 then
        redis.call('PEXPIRE', KEYS[4], ARGV[9])
      end
    end
    return {'HANDED_OVER', holder[2], left}
  end
  return grant()
end
if all_done then
  return {'ANSWERED'}
end
if holder[1] then
  return {'IN_PROGRESS', holder[2], tostring(redis.call('PTTL', KEYS[1])), holder[3] or '', states,
          recent(KEYS[2]), redis.call('HVALS', KEYS[4])}
end
return grant()
