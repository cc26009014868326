-- admit.lua: let one job of a match generate, atomically (never check-then-set); or hand a message
-- to the job that holds the match's flag.
-- KEYS[1]  the match's in-progress flag (hash: owner, messageId, since, question)
-- KEYS[2]  the match's recent questions (list of "<ms>|<normalised text>", newest first)
-- KEYS[3]  the match's recent replies (same shape)
-- KEYS[4]  the match's handed-over messages (hash: messageId -> entry JSON)
-- KEYS[5…] answered markers: of the job's messageId, then (admit mode) of the later jobs of the
--          same match in this batch
-- ARGV[1]  owner token (unique per attempt)
-- ARGV[2]  messageId of the job
-- ARGV[3]  now, epoch ms (the client's clock: scripts must not call TIME on a cluster)
-- ARGV[4]  guard TTL, ms: lifetime of the flag, and age beyond which recent entries are ignored
-- ARGV[5]  the job's question, normalised (kept in the flag for similarity checks by other jobs)
-- ARGV[6]  'admit', or 'handover': if the flag is held, add ARGV[7] to the holder's handed-over messages
-- ARGV[7]  handover mode: the entry JSON {"id","text","sentAt","at"}
-- ARGV[8]  handover mode: TTL of the handed-over messages, ms (survives the holder's failure)
-- Returns  {'ANSWERED'}                                every marker set, nothing handed over pending
--        | {'IN_PROGRESS', holderMessageId, heldForMs, holderQuestion, {answered '0'|'1' per marker}}
--        | {'HANDED_OVER', holderMessageId}
--        | {'GRANTED', {answered '0'|'1' per marker}, {recent questions}, {recent replies}, {handed-over entries}}
local now = tonumber(ARGV[3])
local answered = {}
local all_answered = true
for i = 5, #KEYS do
  local seen = redis.call('EXISTS', KEYS[i])
  answered[#answered + 1] = tostring(seen)
  if seen == 0 then all_answered = false end
end

local holder = redis.call('HMGET', KEYS[1], 'messageId', 'since', 'question')
if ARGV[6] == 'handover' then
  if answered[1] == '1' then
    return {'ANSWERED'}
  end
  if holder[1] then
    redis.call('HSET', KEYS[4], ARGV[2], ARGV[7])
    redis.call('PEXPIRE', KEYS[4], ARGV[8])
    return {'HANDED_OVER', holder[1]}
  end
elseif holder[1] then
  if all_answered then
    return {'ANSWERED'}
  end
  return {'IN_PROGRESS', holder[1], tostring(now - (tonumber(holder[2]) or now)), holder[3] or '', answered}
end

local pending = redis.call('HVALS', KEYS[4])
if all_answered and #pending == 0 then
  return {'ANSWERED'}
end
redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'messageId', ARGV[2], 'since', ARGV[3], 'question', ARGV[5])
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
return {'GRANTED', answered, recent(KEYS[2]), recent(KEYS[3]), pending}
