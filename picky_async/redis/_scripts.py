"""The Lua scripts that keep one project's shared ledger in Redis, each atomic.

Every script starts with the same prelude: the time from Redis ``TIME`` (never
a client's clock), the project's state read from one hash and drained by the
phone's work since it was last written, and ``reply``, which hands the caller
the state it may mirror. Each script then checks and changes that state in one
step, so no other process can slip in between its check and its change.

Keys (``KEYS``), in every script: the state hash, a request window (sorted set
of request ids scored by time), and one or two leases (plain keys holding
their owner's id, with an expiry). A request's window entry is scored at the
latest time it can reach the service (reservation time plus lease) while it is
in flight, and moved to its answer time once answered: the window never
counts a request earlier than the service could have.
"""

from __future__ import annotations

__all__ = [
    "ADJUST",
    "ALL",
    "HEALTH",
    "POLL_SECONDS",
    "RELEASE",
    "RESERVE_PUSH",
    "RESERVE_STATUS",
]

# How long a waiter sleeps before asking again when another process holds the
# lease: the holder's answer time is unknown, and a push takes milliseconds.
POLL_SECONDS = 0.005

_PRELUDE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local state = KEYS[1]
local f = redis.call('HMGET', state, 'b', 'h', 't', 's', 'r', 'k', 'w', 'q', 'p', 'e', 'g')
local backlog = tonumber(f[1]) or 0
local high = tonumber(f[2]) or 0
local since = tonumber(f[3]) or now
local health = tonumber(f[4]) or 0
local resume_at = tonumber(f[5]) or 0
local backoff = tonumber(f[6]) or 0
local hold = tonumber(f[7]) or 0
local seq = tonumber(f[8]) or 0
local polled = tonumber(f[9]) or 0
local err = f[10] or ''
-- When the state was created: a process that knew another one learns that
-- Redis lost it (a restart without persistence), and what went with it.
local generation = f[11]
if not generation then
  generation = string.format('%.6f', now)
  redis.call('HSET', state, 'g', generation)
  redis.call('PEXPIRE', state, 86400000)
end
local worked = now - since
if worked > 0 then
  backlog = math.max(0, backlog - worked)
  high = math.max(0, high - worked)
end
since = now

local function fmt(x) return string.format('%.6f', x) end

local function save()
  redis.call('HSET', state, 'b', fmt(backlog), 'h', fmt(high), 't', fmt(since), 's', health,
    'r', fmt(resume_at), 'k', fmt(backoff), 'w', fmt(hold), 'q', seq, 'p', fmt(polled), 'e', err)
  redis.call('PEXPIRE', state, 86400000)
end

local function reply(granted, retry)
  return {granted, fmt(retry), health, fmt(math.max(0, resume_at - now)), fmt(backlog),
    fmt(high), seq, err, generation}
end

-- Seconds until the window at KEYS[2] takes one more request: 0 if it does now.
local function window_wait(limit, period, poll)
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. fmt(now - period))
  if redis.call('ZCARD', KEYS[2]) < limit then return 0 end
  local oldest = tonumber(redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')[2])
  if oldest > now then return poll end  -- in flight: its answer moves it back
  return math.max(oldest + period - now, 0.000001)
end

local function enter_window(member, period, lease_ms)
  redis.call('ZADD', KEYS[2], fmt(now + lease_ms / 1000), member)
  redis.call('PEXPIRE', KEYS[2], math.ceil(period * 1000 + lease_ms * 2))
end
"""

RESERVE_PUSH = (
    _PRELUDE
    + """
-- KEYS: state, pushes, push lease, high-priority claim
-- ARGV: owner, request id, limit, period, lease ms, seconds of work, high (0/1), horizon, poll
local owner, member = ARGV[1], ARGV[2]
local limit, period, lease_ms = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local work, is_high, horizon = tonumber(ARGV[6]), ARGV[7] == '1', tonumber(ARGV[8])
local poll = tonumber(ARGV[9])
if health ~= 0 then return reply(0, 0) end

local function refuse(wait)
  -- High priority goes next: low-priority pushes of others wait behind it.
  if is_high then
    local claim = redis.call('GET', KEYS[4])
    if not claim or claim == owner then redis.call('SET', KEYS[4], owner, 'PX', lease_ms) end
  end
  return reply(0, wait)
end

if hold > now then return refuse(hold - now) end
local holder = redis.call('GET', KEYS[3])
if holder and holder ~= owner then return refuse(poll) end
if not is_high then
  local claim = redis.call('GET', KEYS[4])
  if claim and claim ~= owner then return reply(0, poll) end
end
local wait = window_wait(limit, period, poll)
if wait > 0 then return refuse(wait) end
if not is_high and backlog > 1e-9 and backlog + work > horizon + 1e-9 then
  return reply(0, backlog + work - horizon)
end
redis.call('SET', KEYS[3], owner, 'PX', lease_ms)
if redis.call('GET', KEYS[4]) == owner then redis.call('DEL', KEYS[4]) end
enter_window(member, period, lease_ms)
backlog = backlog + work
if is_high then high = high + work end
seq = seq + 1
save()
return reply(1, 0)
"""
)

RESERVE_STATUS = (
    _PRELUDE
    + """
-- KEYS: state, statuses, probe lease
-- ARGV: owner, request id, limit, period, lease ms, probe (0/1), poll interval, poll
local owner, member = ARGV[1], ARGV[2]
local limit, period, lease_ms = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local probe, interval, poll = ARGV[6] == '1', tonumber(ARGV[7]), tonumber(ARGV[8])
if probe then
  -- Only a suspended phone is probed, by one process, once its backoff is over.
  if health ~= 1 then return reply(0, 0) end
  if now < resume_at then return reply(0, resume_at - now) end
  local prober = redis.call('GET', KEYS[3])
  if prober and prober ~= owner then return reply(0, poll) end
else
  -- Routine polls correct the backlog for every process: one is enough.
  if health ~= 0 then return reply(0, 0) end
  if polled + interval > now then return reply(0, polled + interval - now) end
end
local wait = window_wait(limit, period, poll)
if wait > 0 then return reply(0, wait) end
if probe then redis.call('SET', KEYS[3], owner, 'PX', lease_ms) end
enter_window(member, period, lease_ms)
polled = now
save()
return reply(1, 0)
"""
)

RELEASE = (
    _PRELUDE
    + """
-- KEYS: state, window, lease
-- ARGV: owner, request id
-- The request was answered now: its window entry moves here, its lease ends.
redis.call('ZADD', KEYS[2], 'XX', fmt(now), ARGV[2])
if redis.call('GET', KEYS[3]) == ARGV[1] then redis.call('DEL', KEYS[3]) end
return reply(1, 0)
"""
)

ADJUST = (
    _PRELUDE
    + """
-- KEYS: state, push lease
-- ARGV: 'remove' | 'correct', seconds, high (0/1), push count the status answer saw
local seconds = tonumber(ARGV[2])
if ARGV[1] == 'remove' then
  -- A push the service certainly did not accept.
  backlog = math.max(0, backlog - seconds)
  if ARGV[3] == '1' then high = math.max(0, high - seconds) end
elseif seq == tonumber(ARGV[4]) and redis.call('EXISTS', KEYS[2]) == 0 then
  -- The phone's own count, unless a push started since it was asked.
  backlog = seconds
end
high = math.min(high, backlog)
save()
return reply(1, 0)
"""
)

HEALTH = (
    _PRELUDE
    + """
-- KEYS: state
-- ARGV: 'suspend' | 'disable' | 'recover' | 'hold', error or seconds, first backoff, max backoff
local how = ARGV[1]
if how == 'suspend' then
  -- Several processes see one outage: only a failed probe lengthens the backoff.
  if health == 0 or (health == 1 and now >= resume_at) then
    local first, most = tonumber(ARGV[3]), tonumber(ARGV[4])
    backoff = math.min(most, backoff > 0 and backoff * 2 or first)
    resume_at = now + backoff
    health = 1
    err = ARGV[2]
  end
elseif how == 'disable' then
  health = 2
  err = ARGV[2]
elseif how == 'recover' then
  if health == 1 then
    health = 0
    backoff = 0
  end
else
  hold = math.max(hold, now + tonumber(ARGV[2]))
end
save()
return reply(1, 0)
"""
)

ALL = (RESERVE_PUSH, RESERVE_STATUS, RELEASE, ADJUST, HEALTH)
"""Every script, loaded into Redis when the link connects."""
