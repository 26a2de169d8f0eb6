"""The Lua scripts of the shared safety store: each a check and a change no other process splits.

A change to the opted-out numbers also counts one more on the version counter
and publishes ``"version add|remove number"``, in the same step: every mirror
learns each change once, and in order.
"""

from __future__ import annotations

__all__ = ["ADD", "GIVE_BACK_DAILY", "REMOVE", "TAKE_DAILY"]

ADD = """
-- KEYS: numbers, version; ARGV: channel, then a number and its record ("at reason") per number
-- Returns version, number, ... for each number new to the store.
local added = {}
for i = 2, #ARGV, 2 do
  if redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 1]) == 1 then
    local version = redis.call('INCR', KEYS[2])
    redis.call('PUBLISH', ARGV[1], version .. ' add ' .. ARGV[i])
    added[#added + 1] = version
    added[#added + 1] = ARGV[i]
  end
end
return added
"""

REMOVE = """
-- KEYS: numbers, version; ARGV: channel, number. Returns the change's version, 0 for none.
if redis.call('HDEL', KEYS[1], ARGV[2]) == 0 then return 0 end
local version = redis.call('INCR', KEYS[2])
redis.call('PUBLISH', ARGV[1], version .. ' remove ' .. ARGV[2])
return version
"""

TAKE_DAILY = """
-- KEYS: the day's count; ARGV: wanted, limit, seconds to keep it. Returns how many were taken.
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
local taken = math.max(math.min(tonumber(ARGV[1]), tonumber(ARGV[2]) - count), 0)
if taken > 0 then
  redis.call('SET', KEYS[1], count + taken, 'EX', ARGV[3])
end
return taken
"""

GIVE_BACK_DAILY = """
-- KEYS: the day's count; ARGV: how many to give back, seconds to keep it. Never below 0.
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count > 0 then
  redis.call('SET', KEYS[1], math.max(count - tonumber(ARGV[1]), 0), 'EX', ARGV[2])
end
"""
