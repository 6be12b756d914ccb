// The Lua helpers every script of queue/redis_scripts.cc starts with.
#include "queue/redis_scripts.h"

namespace vigil {
namespace {

// Helpers every script starts with. Numbers go to redis.call as Lua numbers
// (Redis converts them without losing digits); Lua's own tostring would
// print big ones in exponent form, so no timestamp is ever concatenated.
constexpr std::string_view kPrelude = R"lua(
local rcall = redis.call
local K_WAIT, K_PAUSED, K_ACTIVE, K_PRIO, K_PC, K_DELAYED = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local K_COMPLETED, K_FAILED, K_META, K_ID, K_EVENTS = KEYS[7], KEYS[8], KEYS[9], KEYS[10], KEYS[11]
local K_MARKER, K_STALLED, K_TOKEN = KEYS[12], KEYS[13], KEYS[14]
local K_GROUPS, K_GC = KEYS[15], KEYS[16]
local PREFIX = ARGV[1]
local NOW = tonumber(ARGV[2])
local NOW_TEXT = ARGV[2]  -- NOW as given: saves formatting the number on every call
local MS_SLOTS = 4096
local PRIO_SLOTS = 4294967296

-- An integer as decimal text: cheaper than letting Lua (or redis.call)
-- format the number, which goes through the floating-point printf.
local function int_text(n)
  return string.format("%d", n)
end

-- Adds event `name` to the events stream. The first event of a script run
-- trims the stream to about opts.maxLenEvents entries (as BullMQ's "MAXLEN
-- ~"); the others only append, so a run adds at most its own events beyond
-- that until the next run's first event.
local max_events = nil
local function emit(name, ...)
  if max_events then
    rcall("XADD", K_EVENTS, "*", "event", name, ...)
    return
  end
  max_events = rcall("HGET", K_META, "opts.maxLenEvents")
  if not max_events then
    max_events = "10000"
    rcall("HSET", K_META, "opts.maxLenEvents", max_events)
  end
  rcall("XADD", K_EVENTS, "MAXLEN", "~", max_events, "*", "event", name, ...)
end

local function is_paused()
  return rcall("HEXISTS", K_META, "paused") == 1
end

-- Tells blocked workers that a job can be taken.
local function mark_ready(paused)
  if not paused then rcall("ZADD", K_MARKER, 0, "0") end
end

-- The due time of the earliest delayed job, 0 when there is none.
local function next_delayed_due()
  local first = rcall("ZRANGE", K_DELAYED, 0, 0, "WITHSCORES")
  if first[2] then return math.floor(tonumber(first[2]) / MS_SLOTS) end
  return 0
end

-- Tells blocked workers when the next delayed job is due.
local function mark_next_delayed()
  local due = next_delayed_due()
  if due > 0 then rcall("ZADD", K_MARKER, due, "1") end
end

-- The delayed score of a job due at `due`: after every job due in that ms.
local function delayed_score(due)
  local low = due * MS_SLOTS
  local high = low + MS_SLOTS - 1
  local last = rcall("ZREVRANGEBYSCORE", K_DELAYED, high, low, "WITHSCORES", "LIMIT", 0, 1)
  if last[2] then return math.min(tonumber(last[2]) + 1, high) end
  return low
end

-- The waiting set of a group: ZSET, score priority * 2^32 + (K_GC mod 2^32).
local function group_key(group)
  return PREFIX .. "vigil:g:" .. group
end

-- The group of job `id` ("" = none), from the field the add wrote.
local function group_of(id)
  return rcall("HGET", PREFIX .. id, "vigil:group") or ""
end

-- True when a grouped job waits (the ring holds the groups that have one).
local function groups_waiting()
  return rcall("EXISTS", K_GROUPS) == 1
end

-- Makes job `id` waiting: a grouped job in its group's set (the group joins
-- the ring of groups when its set was empty; the ring gets the member ""
-- for the ungrouped jobs when it is made); an ungrouped one prioritized when
-- priority > 0, else on the wait (or paused) list. `front` puts it before
-- the others of its kind. `group` nil: read it from the job.
local function enqueue(id, priority, paused, front, group)
  group = group or group_of(id)
  if group ~= "" then
    local score = priority * PRIO_SLOTS
    if not front then score = score + rcall("INCR", K_GC) % PRIO_SLOTS end
    local key = group_key(group)
    rcall("ZADD", key, score, id)
    if rcall("ZCARD", key) == 1 then
      if rcall("EXISTS", K_GROUPS) == 0 then rcall("LPUSH", K_GROUPS, "") end
      rcall("LPUSH", K_GROUPS, group)
    end
  elseif priority > 0 then
    local score = priority * PRIO_SLOTS
    if not front then score = score + rcall("INCR", K_PC) % PRIO_SLOTS end
    rcall("ZADD", K_PRIO, score, id)
  else
    local list = K_WAIT
    if paused then list = K_PAUSED end
    if front then rcall("RPUSH", list, id) else rcall("LPUSH", list, id) end
  end
  mark_ready(paused)
end

-- Moves delayed jobs that are due now to waiting.
local function promote_due()
  local due = rcall("ZRANGEBYSCORE", K_DELAYED, 0, (NOW + 1) * MS_SLOTS - 1, "WITHSCORES", "LIMIT", 0, 1000)
  if #due == 0 then return end
  local paused = is_paused()
  for i = 1, #due, 2 do
    local id = due[i]
    local job_key = PREFIX .. id
    rcall("ZREM", K_DELAYED, id)
    if rcall("EXISTS", job_key) == 1 then
      local priority = tonumber(rcall("HGET", job_key, "priority")) or 0
      rcall("HSET", job_key, "delay", 0, "vigil:due", math.floor(tonumber(due[i + 1]) / MS_SLOTS))
      enqueue(id, priority, paused, false)
      emit("waiting", "jobId", id, "prev", "delayed")
    end
  end
end

local function drained_if_idle()
  if rcall("LLEN", K_WAIT) == 0 and rcall("LLEN", K_ACTIVE) == 0 and rcall("ZCARD", K_PRIO) == 0 and
     not groups_waiting() then
    emit("drained")
  end
end

-- Why releasing the lock of job `id` fails when the lock holds `held`
-- (not the caller's token): a kLock* code.
local function lock_lost(id, held)
  -- Only a job that exists has a lock (removing a job removes its lock).
  if rcall("EXISTS", PREFIX .. id) == 0 then return -1 end
  if not held then return -2 end
  return -6
end

-- Releases the lock of active job `id` held with `token`: 0, or why not.
local function release_lock(id, token)
  local job_key = PREFIX .. id
  local held = rcall("GET", job_key .. ":lock")
  if held ~= token then return lock_lost(id, held) end
  if rcall("LREM", K_ACTIVE, -1, id) == 0 then return -3 end
  rcall("DEL", job_key .. ":lock")
  rcall("SREM", K_STALLED, id)
  return 0
end

local function pop_ungrouped()
  local id = rcall("RPOPLPUSH", K_WAIT, K_ACTIVE)
  if id then return id end
  local top = rcall("ZPOPMIN", K_PRIO)
  if top[1] then
    rcall("LPUSH", K_ACTIVE, top[1])
    return top[1]
  end
  rcall("DEL", K_PC)
  return nil
end

local function pop_next()
  local members = rcall("LLEN", K_GROUPS)
  if members == 0 then return pop_ungrouped() end
  for _ = 1, members do
    local member = rcall("RPOPLPUSH", K_GROUPS, K_GROUPS)
    if not member then break end
    local id = nil
    if member == "" then
      id = pop_ungrouped()
    else
      local key = group_key(member)
      local top = rcall("ZPOPMIN", key)
      id = top[1]
      if rcall("EXISTS", key) == 0 then rcall("LREM", K_GROUPS, 1, member) end
      if id then rcall("LPUSH", K_ACTIVE, id) end
    end
    if rcall("LLEN", K_GROUPS) <= 1 then
      rcall("DEL", K_GROUPS, K_GC)  -- only "" is left: no group waits
    end
    if id then return id end
  end
  return pop_ungrouped()
end

-- Locks job `id`, just moved to the active list, for worker `worker` under
-- a lock of `lease` ms with fencing token `token`: {1, token, id, name,
-- data, opts, timestamp, delay, atm, vigil:due, processedOn}; or, when the
-- job was removed while it waited, takes it off the active list: nil.
local function lock_job(id, lease, worker, token)
  local job_key = PREFIX .. id
  local f = rcall("HMGET", job_key, "name", "data", "opts", "timestamp", "delay", "atm", "vigil:due", "ats")
  if not (f[1] or f[4]) then
    rcall("LREM", K_ACTIVE, -1, id)
    return nil
  end
  -- GET: the reply is the old value (none), not a status Lua makes a table of.
  rcall("SET", job_key .. ":lock", int_text(token), "PX", lease, "GET")
  rcall("HSET", job_key, "processedOn", NOW_TEXT, "pb", worker, "ats", int_text((tonumber(f[8]) or 0) + 1))
  emit("active", "jobId", id, "prev", "waiting")
  return {1, token, id, f[1], f[2], f[3], f[4], f[5], f[6], f[7], NOW}
end

-- Locks the next waiting job (lock_job), or nil when none waits. Does not
-- set the marker (mark_if_waiting does, once per script). `ungrouped_only`:
-- the caller knows that no grouped job waits (the ring does not exist).
local function lock_next(lease, worker, token, ungrouped_only)
  for _ = 1, 100 do
    local id
    if ungrouped_only then id = pop_ungrouped() else id = pop_next() end
    if not id then break end
    local row = lock_job(id, lease, worker, token)
    if row then return row end
  end
  return nil
end

-- redis.call(head..., items...) in calls of at most 512 items (Lua's
-- unpack has a limit); the array replies joined.
local function rcall_list(head, items)
  local out = {}
  for first = 1, #items, 512 do
    local args = {unpack(head)}
    for i = first, math.min(first + 511, #items) do args[#args + 1] = items[i] end
    local reply = rcall(unpack(args))
    if type(reply) == "table" then
      for _, v in ipairs(reply) do out[#out + 1] = v end
    end
  end
  return out
end

-- Moves up to `want` ungrouped waiting jobs to the active list in take's
-- order (the wait list, then the prioritized set) with one call for all
-- of them: their ids.
local function pop_ungrouped_many(want)
  local ids = rcall("RPOP", K_WAIT, want) or {}
  local more = want - #ids
  if more > 0 then
    local top = rcall("ZPOPMIN", K_PRIO, more)
    for i = 1, #top, 2 do ids[#ids + 1] = top[i] end
    if #top < 2 * more then rcall("DEL", K_PC) end  -- the prioritized set is empty
  end
  if #ids > 0 then rcall_list({"LPUSH", K_ACTIVE}, ids) end
  return ids
end

-- Locks up to `want` waiting jobs with tokens token_base + 1, ..., + want:
-- their rows (lock_job's), in take's order.
local function lock_many(want, lease, worker, token_base, ungrouped_only)
  local rows = {}
  if not ungrouped_only then
    for i = 1, want do
      local row = lock_next(lease, worker, token_base + i, false)
      if not row then break end
      rows[#rows + 1] = row
    end
    return rows
  end
  for _ = 1, 100 do  -- more rounds only when jobs were removed while waiting
    local ids = pop_ungrouped_many(want - #rows)
    for _, id in ipairs(ids) do
      local row = lock_job(id, lease, worker, token_base + #rows + 1)
      if row then rows[#rows + 1] = row end
    end
    if #ids == 0 or #rows == want then break end
  end
  return rows
end

-- Tells blocked workers that jobs are still waiting, if they are.
local function mark_if_waiting()
  if rcall("LLEN", K_WAIT) > 0 or rcall("ZCARD", K_PRIO) > 0 or groups_waiting() then
    mark_ready(false)
  end
end

-- Reserves `n` fencing tokens and returns the first. A counter that is
-- gone (FLUSHALL, a restart without persistence) starts again from the
-- server's clock in microseconds, above every token handed out before, so
-- a worker still holding an old token can never match a new lock.
local function next_tokens(n)
  if rcall("EXISTS", K_TOKEN) == 0 then
    local now = rcall("TIME")
    rcall("SET", K_TOKEN, int_text(tonumber(now[1]) * 1000000 + tonumber(now[2])))
  end
  return rcall("INCRBY", K_TOKEN, n) - n + 1
end

-- Takes the next waiting job for worker `worker` under a lock of `lease`
-- ms with a new token: lock_next's row, or nil when none waits.
local function take_job(lease, worker)
  local row = lock_next(lease, worker, next_tokens(1))
  if row then mark_if_waiting() end
  return row
end

-- Applies a finished job's removeOnComplete / removeOnFail option `keep`
-- (BullMQ's: true or 0 removes this job at once and no other; a number N
-- keeps the newest N jobs of `set`; {count = N, age = seconds} keeps the
-- newest N and those finished less than `age` seconds ago; false or nil
-- keeps every job).
local function remove_job(id)
  rcall("DEL", PREFIX .. id, PREFIX .. id .. ":logs", PREFIX .. id .. ":lock")
end
local function trim_finished(set, id, keep)
  if keep == nil or keep == false or keep == cjson.null then return end
  local count, age = nil, nil
  if keep == true then
    count = 0
  elseif type(keep) == "number" then
    count = keep
  elseif type(keep) == "table" then
    count, age = tonumber(keep["count"]), tonumber(keep["age"])
  end
  if count == 0 then
    rcall("ZREM", set, id)
    remove_job(id)
    return
  end
  if age then
    local old = rcall("ZRANGEBYSCORE", set, 0, NOW - age * 1000, "LIMIT", 0, 1000)
    for _, j in ipairs(old) do
      rcall("ZREM", set, j)
      remove_job(j)
    end
  end
  if count and count >= 0 then
    local extra = rcall("ZRANGE", set, 0, -(count + 1))
    for i = 1, math.min(#extra, 1000) do
      rcall("ZREM", set, extra[i])
      remove_job(extra[i])
    end
  end
end

-- The option `name` of a job's opts JSON (nil when absent or not JSON).
local function opt_of(opts_json, name)
  if not opts_json or not string.find(opts_json, name, 1, true) then return nil end
  local ok, opts = pcall(cjson.decode, opts_json)
  if ok and type(opts) == "table" then return opts[name] end
  return nil
end

-- Completes active job `id` locked with `token`, with return value
-- `value` (JSON): 0, or a kLock* code and no change.
local function complete_job(id, token, value)
  local released = release_lock(id, token)
  if released ~= 0 then return released end
  local job_key = PREFIX .. id
  local f = rcall("HMGET", job_key, "atm", "opts")
  rcall("HSET", job_key, "atm", (tonumber(f[1]) or 0) + 1, "returnvalue", value, "finishedOn", NOW_TEXT)
  rcall("ZADD", K_COMPLETED, NOW_TEXT, id)
  emit("completed", "jobId", id, "returnvalue", value, "prev", "active")
  trim_finished(K_COMPLETED, id, opt_of(f[2], "removeOnComplete"))
  return 0
end

-- Completes the active jobs given in ARGV from `first` on, five per job:
-- id, token, return value (JSON), and what the caller knows of the job:
-- its attempts made with this run and its removeOnComplete option (JSON,
-- "null" when it has none), or "?" and "" when it does not know them. Does
-- what complete_job does for each, with one call for all of them where
-- Redis has one (MGET, DEL, SREM, ZADD). Returns {0 or a kLock* code per
-- job}.
local function complete_many(first)
  local ids, locks = {}, {}
  for i = first, #ARGV, 5 do
    ids[#ids + 1] = ARGV[i]
    locks[#locks + 1] = PREFIX .. ARGV[i] .. ":lock"
  end
  if #ids == 0 then return {} end
  local held = rcall_list({"MGET"}, locks)
  local codes, done, done_locks = {}, {}, {}
  for k, id in ipairs(ids) do
    local code = 0
    if held[k] ~= ARGV[first + 5 * (k - 1) + 1] then
      code = lock_lost(id, held[k])
    elseif rcall("LREM", K_ACTIVE, -1, id) == 0 then
      code = -3
    end
    codes[k] = code
    if code == 0 then
      done[#done + 1] = k
      done_locks[#done_locks + 1] = locks[k]
    end
  end
  if #done == 0 then return codes end
  local done_ids, scored = {}, {}
  for _, k in ipairs(done) do
    done_ids[#done_ids + 1] = ids[k]
    scored[#scored + 1] = NOW_TEXT
    scored[#scored + 1] = ids[k]
  end
  rcall_list({"DEL"}, done_locks)
  rcall_list({"SREM", K_STALLED}, done_ids)
  rcall_list({"ZADD", K_COMPLETED}, scored)
  local keeps = {}
  for n, k in ipairs(done) do
    local at = first + 5 * (k - 1)
    local id, value, atm, keep_json = ids[k], ARGV[at + 2], ARGV[at + 3], ARGV[at + 4]
    local job_key = PREFIX .. id
    local keep
    if atm == "?" then
      local f = rcall("HMGET", job_key, "atm", "opts")
      atm = int_text((tonumber(f[1]) or 0) + 1)
      keep = opt_of(f[2], "removeOnComplete")
    elseif keep_json ~= "null" then
      local ok, decoded = pcall(cjson.decode, keep_json)
      if ok then keep = decoded end
    end
    keeps[n] = keep
    rcall("HSET", job_key, "atm", atm, "returnvalue", value, "finishedOn", NOW_TEXT)
    emit("completed", "jobId", id, "returnvalue", value, "prev", "active")
  end
  -- Trims after every job of the batch is written: a trim may remove any
  -- completed job, one of this batch too.
  for n, k in ipairs(done) do
    if keeps[n] ~= nil then trim_finished(K_COMPLETED, ids[k], keeps[n]) end
  end
  return codes
end

-- Adds the job given in ARGV from `at` on: job id ("" = make one), name,
-- data, opts JSON, delay ms, priority, group ("" = none). Returns {job id,
-- 1 added | 0 existed}.
local function add_job(at)
  local seq = rcall("INCR", K_ID)
  local id = ARGV[at]
  if id == "" then id = tostring(seq) end
  local job_key = PREFIX .. id
  if rcall("EXISTS", job_key) == 1 then
    emit("duplicated", "jobId", id)
    return {id, 0}
  end
  local name, data, opts, group = ARGV[at + 1], ARGV[at + 2], ARGV[at + 3], ARGV[at + 6]
  local delay = tonumber(ARGV[at + 4])
  local priority = tonumber(ARGV[at + 5])
  rcall("HSET", job_key, "name", name, "data", data, "opts", opts, "timestamp", NOW,
        "delay", delay, "priority", priority, "vigil:seq", seq, "vigil:due", NOW + delay)
  if group ~= "" then rcall("HSET", job_key, "vigil:group", group) end
  emit("added", "jobId", id, "name", name)
  if delay > 0 then
    local due = NOW + delay
    rcall("ZADD", K_DELAYED, delayed_score(due), id)
    emit("delayed", "jobId", id, "delay", due)
    mark_next_delayed()
  else
    enqueue(id, priority, is_paused(), false, group)
    emit("waiting", "jobId", id)
  end
  return {id, 1}
end

local INFO_FIELDS = {"name", "data", "opts", "timestamp", "delay", "priority", "atm", "ats", "stc",
  "processedOn", "finishedOn", "returnvalue", "failedReason", "vigil:due", "vigil:seq"}

-- {id, state, due from the delayed score or 0, INFO_FIELDS...}
local function info_row(id, state, due)
  return {id, state, due or 0, rcall("HMGET", PREFIX .. id, unpack(INFO_FIELDS))}
end

local function state_of(id)
  if rcall("ZSCORE", K_COMPLETED, id) then return "completed" end
  if rcall("ZSCORE", K_FAILED, id) then return "failed" end
  local score = rcall("ZSCORE", K_DELAYED, id)
  if score then return "delayed", math.floor(tonumber(score) / MS_SLOTS) end
  if rcall("ZSCORE", K_PRIO, id) then return "waiting" end
  local group = group_of(id)
  if group ~= "" and rcall("ZSCORE", group_key(group), id) then return "waiting" end
  if rcall("LPOS", K_ACTIVE, id) then return "active" end
  if rcall("LPOS", K_WAIT, id) or rcall("LPOS", K_PAUSED, id) then return "waiting" end
  return "unknown"
end
)lua";

}  // namespace

std::string_view RedisScriptPrelude() { return kPrelude; }

}  // namespace vigil
