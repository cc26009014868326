-- inspect.lua: read a match's whole guard state in one round trip, writing nothing (operators' tool).
-- KEYS[1]  the match's in-progress flag (hash: owner, messageId, since, question)
-- KEYS[2]  the match's recent questions (list of "<ms>|<normalised text>", newest first)
-- KEYS[3]  the match's recent replies (same shape)
-- KEYS[4]  the match's handed-over messages (hash: messageId -> entry JSON)
-- KEYS[5…] answered markers to look up
-- Returns  {{flag field, value, …}, flag PTTL, {questions}, questions PTTL, {replies}, replies PTTL,
--           {handover id, entry, …}, handover PTTL, {marker value or '', marker PTTL, …}}
--          (PTTL: ms left, -1 no TTL, -2 no key)
local markers = {}
for i = 5, #KEYS do
  markers[#markers + 1] = redis.call('GET', KEYS[i]) or ''
  markers[#markers + 1] = tostring(redis.call('PTTL', KEYS[i]))
end
return {
  redis.call('HGETALL', KEYS[1]), redis.call('PTTL', KEYS[1]),
  redis.call('LRANGE', KEYS[2], 0, -1), redis.call('PTTL', KEYS[2]),
  redis.call('LRANGE', KEYS[3], 0, -1), redis.call('PTTL', KEYS[3]),
  redis.call('HGETALL', KEYS[4]), redis.call('PTTL', KEYS[4]),
  markers
}
