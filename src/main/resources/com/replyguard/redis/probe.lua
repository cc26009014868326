-- probe.lua: is the guard's Redis serving again? A write, so that a replica or a primary that
-- cannot take writes (READONLY, OOM, MISCONF) answers as it would to the guard's own scripts.
-- KEYS[1]  a key of the breaker's own (rg:{replyguard:probe}:ping), kept one second
-- ARGV[1]  a value (the probing container's token; read by nobody)
-- Returns  'OK'
return redis.call('SET', KEYS[1], ARGV[1], 'PX', 1000)
