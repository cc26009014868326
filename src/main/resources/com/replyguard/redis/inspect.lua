-- inspect.lua: read a match's whole guard state in one round trip, writing nothing (operators' tool).
-- KEYS[1]  the match's in-progress flag (hash: owner, messageId, since, question)
-- KEYS[2]  recent questions (list "<ms>|<normalised text>", newest first)
-- KEYS[3]  recent replies (list "<ms>|<reply entry JSON>")
-- KEYS[4]  handed-over messages (hash: messageId -> entry JSON)
-- KEYS[5]  failed attempts per handed-over message (hash)
-- KEYS[6]  parked handed-over messages (hash)
-- KEYS[7]  outbox (hash: replyId -> "<committed ms>|<reply JSON>")
-- KEYS[8…] answered markers to look up
-- Returns  {{flag field, value, …}, flag PTTL, {questions}, questions PTTL, {replies}, replies PTTL,
--           {handover id, entry, …}, handover PTTL, {attempts id, count, …}, attempts PTTL,
--           {parked id, entry, …}, parked PTTL, {outbox replyId, entry, …}, outbox PTTL,
--           {marker value or '', marker PTTL, …}}
--          (PTTL: ms left, -1 no TTL, -2 no key)
local markers = {}
for i = 8, #KEYS do
  markers[#markers + 1] = redis.call('GET', KEYS[i]) or ''
  markers[#markers + 1] = tostring(redis.call('PTTL', KEYS[i]))
end
return {
  redis.call('HGETALL', KEYS[1]), redis.call('PTTL', KEYS[1]),
  redis.call('LRANGE', KEYS[2], 0, -1), redis.call('PTTL', KEYS[2]),
  redis.call('LRANGE', KEYS[3], 0, -1), redis.call('PTTL', KEYS[3]),
  redis.call('HGETALL', KEYS[4]), redis.call('PTTL', KEYS[4]),
  redis.call('HGETALL', KEYS[5]), redis.call('PTTL', KEYS[5]),
  redis.call('HGETALL', KEYS[6]), redis.call('PTTL', KEYS[6]),
  redis.call('HGETALL', KEYS[7]), redis.call('PTTL', KEYS[7]),
  markers
}
