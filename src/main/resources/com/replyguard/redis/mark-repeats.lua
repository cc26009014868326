-- mark-repeats.lua: remember messages judged repeats of a question in flight or recently answered,
-- while another job holds the flag, so that a redelivery after the recent window does not answer
-- them. A marker already there (a real answer) is left as it is.
-- KEYS[1…] answered markers of the repeats
-- ARGV[1]  answered TTL, ms
-- Returns  how many markers were written
local written = 0
for i = 1, #KEYS do
  if redis.call('SET', KEYS[i], 'repeat', 'PX', ARGV[1], 'NX') then
    written = written + 1
  end
end
return written
