-- confirm.lua: the reply was delivered: its outbox entry is done (its answered markers stay).
-- KEYS[1]  the match's outbox (hash: replyId -> "<committed ms>|<reply JSON>")
-- ARGV[1]  replyId
-- Returns  1 if the entry was there, 0 if not
return redis.call('HDEL', KEYS[1], ARGV[1])
