#include "queue/redis_scripts.h"

namespace vigil {
namespace {

// Each script below runs after the prelude (queue/redis_scripts_prelude.cc).

// ARGV[3] job id ("" = make one), [4] name, [5] data, [6] opts JSON,
// [7] delay ms, [8] priority, [9] group ("" = none) (add_job's).
// Returns {job id, 1 added | 0 existed}.
constexpr std::string_view kAdd = R"lua(
return add_job(3)
)lua";

// ARGV[3], ...: seven per job, as add's. Adds them in order.
// Returns {{job id, 1 added | 0 existed} per job}.
constexpr std::string_view kAddBulk = R"lua(
local out = {}
for i = 3, #ARGV, 7 do out[#out + 1] = add_job(i) end
return out
)lua";

// ARGV[3] lease ms, [4] worker name.
// Returns {1, token, id, name, data, opts, timestamp, delay, atm, vigil:due,
// processedOn} for a job, or {0, paused 0|1, next delayed due ms or 0}.
//
// Which job: while no grouped job waits, BullMQ's order (the wait list, then
// the prioritized set). Otherwise the ring K_GROUPS decides: its tail member
// moves to the head and gives the job, the next member when it has none.
// A group gives the first of its set; the member "" gives the ungrouped
// jobs' next one, so all ungrouped jobs together count as one group.
constexpr std::string_view kTake = R"lua(
promote_due()
if is_paused() then return {0, 1, next_delayed_due()} end
local row = take_job(ARGV[3], ARGV[4])
if row then return row end
return {0, 0, next_delayed_due()}
)lua";

// ARGV[3] job id, [4] token, [5] lease ms. Returns 0 or a kLock* code.
constexpr std::string_view kExtendLock = R"lua(
local lock_key = PREFIX .. ARGV[3] .. ":lock"
local held = rcall("GET", lock_key)
if not held then return -2 end
if held ~= ARGV[4] then return -6 end
rcall("SET", lock_key, ARGV[4], "PX", ARGV[5])
rcall("SREM", K_STALLED, ARGV[3])
return 0
)lua";

// ARGV[3] job id, [4] token, [5] return value (JSON).
// Returns 0 or a kLock* code.
constexpr std::string_view kComplete = R"lua(
local released = complete_job(ARGV[3], ARGV[4], ARGV[5])
if released ~= 0 then return released end
drained_if_idle()
return 0
)lua";

// ARGV[3] lease ms, [4] worker name, [5] how many jobs to take at most,
// then five per job to complete (complete_many's): [6] id, [7] token,
// [8] return value (JSON), [9] attempts made with this run or "?",
// [10] removeOnComplete (JSON) or "", [11] id, ... Completes those (as
// complete), then takes up to that many jobs in take's order, each under
// its own lock and token.
// Returns {{0 or a kLock* code per completed job}, {take's row per job
// taken}, paused 0|1, next delayed due ms or 0 (when none was taken)}.
constexpr std::string_view kCompleteAndTake = R"lua(
local codes = complete_many(6)
local rows = {}
local paused = is_paused()
local want = tonumber(ARGV[5])
if want > 0 then
  promote_due()
  if not paused then
    local base = next_tokens(want) - 1
    -- Takes never make the ring: without it now, no take needs to look at it.
    rows = lock_many(want, ARGV[3], ARGV[4], base, not groups_waiting())
    if #rows > 0 then mark_if_waiting() end
  end
end
local next_due = 0
if #rows == 0 then
  if #codes > 0 then drained_if_idle() end
  next_due = next_delayed_due()
end
local p = 0
if paused then p = 1 end
return {codes, rows, p, next_due}
)lua";

// ARGV[3] job id, [4] token, [5] error.
// Returns {0, 1 will retry | 0 failed for good, retry at ms} or {kLock* code}.
// The backoff comes from the job's opts: {"type":"fixed"|"exponential",
// "delay":ms} (or a plain number of ms), as BullMQ stores it.
constexpr std::string_view kFail = R"lua(
local id = ARGV[3]
local released = release_lock(id, ARGV[4])
if released ~= 0 then return {released} end
local job_key = PREFIX .. id
local made = rcall("HINCRBY", job_key, "atm", 1)
local fields = rcall("HMGET", job_key, "opts", "priority")
local ok, opts = pcall(cjson.decode, fields[1] or "{}")
if not ok or type(opts) ~= "table" then opts = {} end
local attempts = tonumber(opts["attempts"]) or 1
rcall("HSET", job_key, "failedReason", ARGV[5])
if made < attempts then
  local backoff = opts["backoff"]
  local delay = 0
  if type(backoff) == "number" then
    delay = backoff
  elseif type(backoff) == "table" then
    delay = tonumber(backoff["delay"]) or 0
    if backoff["type"] == "exponential" then
      delay = math.floor(2 ^ math.min(made - 1, 40) * delay + 0.5)
    end
  end
  delay = math.min(math.max(math.floor(delay), 0), 1099511627776)
  if delay > 0 then
    local due = NOW + delay
    rcall("HSET", job_key, "delay", delay, "vigil:due", due)
    rcall("ZADD", K_DELAYED, delayed_score(due), id)
    emit("delayed", "jobId", id, "delay", due)
    mark_next_delayed()
    return {0, 1, due}
  end
  rcall("HSET", job_key, "vigil:due", NOW)
  enqueue(id, tonumber(fields[2]) or 0, is_paused(), false)
  emit("waiting", "jobId", id, "prev", "active")
  return {0, 1, NOW}
end
rcall("HSET", job_key, "finishedOn", NOW)
rcall("ZADD", K_FAILED, NOW, id)
emit("failed", "jobId", id, "failedReason", ARGV[5], "prev", "active")
emit("retries-exhausted", "jobId", id, "attemptsMade", made)
trim_finished(K_FAILED, id, opts["removeOnFail"])
drained_if_idle()
return {0, 0, 0}
)lua";

// ARGV[3] job id, [4] token. Gives back a job taken ahead (by complete)
// that no worker ran: first in line again, its start not counted.
// Returns 0 or a kLock* code.
constexpr std::string_view kRelease = R"lua(
local id = ARGV[3]
local released = release_lock(id, ARGV[4])
if released ~= 0 then return released end
local job_key = PREFIX .. id
rcall("HINCRBY", job_key, "ats", -1)
rcall("HDEL", job_key, "processedOn", "pb")
enqueue(id, tonumber(rcall("HGET", job_key, "priority")) or 0, is_paused(), true)
emit("waiting", "jobId", id, "prev", "active")
return 0
)lua";

// ARGV[3] max stalled. Active jobs whose lock is gone go back to waiting
// (first in line) or, stalled more than max stalled times, fail.
// Returns how many jobs moved.
constexpr std::string_view kRecoverStalled = R"lua(
local max_stalled = tonumber(ARGV[3])
local paused = is_paused()
local moved = 0
for _, id in ipairs(rcall("LRANGE", K_ACTIVE, 0, -1)) do
  local job_key = PREFIX .. id
  if rcall("EXISTS", job_key .. ":lock") == 0 then
    rcall("LREM", K_ACTIVE, 1, id)
    rcall("SREM", K_STALLED, id)
    if rcall("EXISTS", job_key) == 1 then
      moved = moved + 1
      local stalls = rcall("HINCRBY", job_key, "stc", 1)
      emit("stalled", "jobId", id)
      if stalls > max_stalled then
        local reason = "stalled: the lease expired " .. stalls .. " times, more than max_stalled " ..
          max_stalled .. " (last held by " .. (rcall("HGET", job_key, "pb") or "?") .. ")"
        rcall("HSET", job_key, "failedReason", reason, "finishedOn", NOW)
        rcall("ZADD", K_FAILED, NOW, id)
        emit("failed", "jobId", id, "failedReason", reason, "prev", "active")
        trim_finished(K_FAILED, id, opt_of(rcall("HGET", job_key, "opts"), "removeOnFail"))
      else
        rcall("HSET", job_key, "vigil:due", NOW)
        enqueue(id, tonumber(rcall("HGET", job_key, "priority")) or 0, paused, true)
        emit("waiting", "jobId", id, "prev", "active")
      end
    end
  end
end
return moved
)lua";

// ARGV[3] job id. Returns "ok", "missing", or the state the job is in.
constexpr std::string_view kRetry = R"lua(
local id = ARGV[3]
local job_key = PREFIX .. id
if rcall("EXISTS", job_key) == 0 then return "missing" end
if rcall("ZREM", K_FAILED, id) == 0 then return (state_of(id)) end
rcall("HSET", job_key, "atm", 0, "ats", 0, "stc", 0, "delay", 0, "vigil:due", NOW)
rcall("HDEL", job_key, "finishedOn", "processedOn", "failedReason", "defa", "stacktrace")
enqueue(id, tonumber(rcall("HGET", job_key, "priority")) or 0, is_paused(), false)
emit("waiting", "jobId", id, "prev", "failed")
return "ok"
)lua";

// ARGV[3] "paused" or "resumed". The waiting jobs move between the wait and
// the paused list; pausing removes the marker, resuming sets it.
constexpr std::string_view kPause = R"lua(
local pause = ARGV[3] == "paused"
if pause == is_paused() then return 0 end
local from, to = K_WAIT, K_PAUSED
if not pause then from, to = K_PAUSED, K_WAIT end
if rcall("EXISTS", to) == 0 then
  if rcall("EXISTS", from) == 1 then rcall("RENAME", from, to) end
else
  while rcall("RPOPLPUSH", from, to) do end
end
if pause then
  rcall("HSET", K_META, "paused", 1)
  rcall("DEL", K_MARKER)
else
  rcall("HDEL", K_META, "paused")
  if rcall("LLEN", K_WAIT) > 0 or rcall("ZCARD", K_PRIO) > 0 or groups_waiting() then
    mark_ready(false)
  else
    mark_next_delayed()
  end
end
emit(ARGV[3])
return 1
)lua";

// Returns {waiting, delayed, active, completed, failed, paused 0|1}.
constexpr std::string_view kCounts = R"lua(
local paused = 0
if is_paused() then paused = 1 end
local grouped = 0
for _, group in ipairs(rcall("LRANGE", K_GROUPS, 0, -1)) do
  if group ~= "" then grouped = grouped + rcall("ZCARD", group_key(group)) end
end
return {rcall("LLEN", K_WAIT) + rcall("LLEN", K_PAUSED) + rcall("ZCARD", K_PRIO) + grouped,
        rcall("ZCARD", K_DELAYED), rcall("LLEN", K_ACTIVE), rcall("ZCARD", K_COMPLETED),
        rcall("ZCARD", K_FAILED), paused}
)lua";

// ARGV[3] job id. Returns an info row, or nil when there is no such job.
constexpr std::string_view kGet = R"lua(
local id = ARGV[3]
if rcall("EXISTS", PREFIX .. id) == 0 then return nil end
local state, due = state_of(id)
return info_row(id, state, due)
)lua";

// ARGV[3] state ("" = every state), [4] group ("" = every group), [5] limit.
// Returns info rows, newest first (by timestamp, then add order).
constexpr std::string_view kList = R"lua(
local want, group, limit = ARGV[3], ARGV[4], tonumber(ARGV[5])
local found = {}
local function add_all(ids, state, with_scores)
  local step = 1
  if with_scores then step = 2 end
  for i = 1, #ids, step do
    local due = nil
    if state == "delayed" then due = math.floor(tonumber(ids[i + 1]) / MS_SLOTS) end
    found[#found + 1] = {id = ids[i], state = state, due = due}
  end
end
if want == "" or want == "waiting" then
  add_all(rcall("LRANGE", K_WAIT, 0, -1), "waiting")
  add_all(rcall("LRANGE", K_PAUSED, 0, -1), "waiting")
  add_all(rcall("ZRANGE", K_PRIO, 0, -1), "waiting")
  local groups = {group}
  if group == "" then groups = rcall("LRANGE", K_GROUPS, 0, -1) end
  for _, g in ipairs(groups) do
    if g ~= "" then add_all(rcall("ZRANGE", group_key(g), 0, -1), "waiting") end
  end
end
if want == "" or want == "delayed" then add_all(rcall("ZRANGE", K_DELAYED, 0, -1, "WITHSCORES"), "delayed", true) end
if want == "" or want == "active" then add_all(rcall("LRANGE", K_ACTIVE, 0, -1), "active") end
if want == "" or want == "completed" then add_all(rcall("ZRANGE", K_COMPLETED, 0, -1), "completed") end
if want == "" or want == "failed" then add_all(rcall("ZRANGE", K_FAILED, 0, -1), "failed") end
local kept = {}
for _, job in ipairs(found) do
  local f = rcall("HMGET", PREFIX .. job.id, "timestamp", "vigil:seq", "opts")
  local keep = f[1] ~= false
  if keep and group ~= "" then
    local ok, opts = pcall(cjson.decode, f[3] or "{}")
    keep = ok and type(opts) == "table" and type(opts["group"]) == "table" and opts["group"]["id"] == group
  end
  if keep then
    job.ts = tonumber(f[1]) or 0
    job.seq = tonumber(f[2]) or 0
    kept[#kept + 1] = job
  end
end
table.sort(kept, function(a, b)
  if a.ts ~= b.ts then return a.ts > b.ts end
  if a.seq ~= b.seq then return a.seq > b.seq end
  return a.id > b.id
end)
local rows = {}
for i = 1, math.min(limit, #kept) do
  rows[i] = info_row(kept[i].id, kept[i].state, kept[i].due)
end
return rows
)lua";

struct ScriptDef {
  std::string_view name;
  std::string_view body;
};

constexpr ScriptDef kScripts[kRedisScriptCount] = {
    {"add", kAdd},
    {"take", kTake},
    {"extend lock", kExtendLock},
    {"complete", kComplete},
    {"fail", kFail},
    {"recover stalled", kRecoverStalled},
    {"retry", kRetry},
    {"pause", kPause},
    {"counts", kCounts},
    {"get", kGet},
    {"list", kList},
    {"release", kRelease},
    {"complete and take", kCompleteAndTake},
    {"add bulk", kAddBulk},
};

}  // namespace

std::string_view RedisScriptName(RedisScript script) {
  return kScripts[static_cast<int>(script)].name;
}

const std::string& RedisScriptSource(RedisScript script) {
  static const std::array<std::string, kRedisScriptCount> sources = [] {
    std::array<std::string, kRedisScriptCount> out;
    for (int i = 0; i < kRedisScriptCount; ++i) {
      out[i] = std::string(RedisScriptPrelude()) + std::string(kScripts[i].body);
    }
    return out;
  }();
  return sources[static_cast<int>(script)];
}

Result<std::string> RedisScripts::Load(RedisConnection* connection, RedisScript script) {
  std::string what = "load script \"" + std::string(RedisScriptName(script)) + "\"";
  Result<RedisReply> reply = connection->Command({"SCRIPT", "LOAD", RedisScriptSource(script)});
  if (!reply.ok()) return reply.status().Prefixed(what);
  if (reply->is_error()) return ReplyError(connection->endpoint(), *reply).Prefixed(what);
  std::string sha = reply->AsString();
  std::lock_guard<std::mutex> lock(mu_);
  sha_[static_cast<int>(script)] = sha;
  return sha;
}

Status RedisScripts::LoadAll(RedisConnection* connection) {
  for (int i = 0; i < kRedisScriptCount; ++i) {
    VIGIL_RETURN_IF_ERROR(Load(connection, static_cast<RedisScript>(i)).status());
  }
  return Status::Ok();
}

Result<RedisReply> RedisScripts::Run(RedisConnection* connection, RedisScript script,
                                     const std::vector<std::string>& keys,
                                     const std::vector<std::string>& args) {
  std::string sha;
  {
    std::lock_guard<std::mutex> lock(mu_);
    sha = sha_[static_cast<int>(script)];
  }
  if (sha.empty()) {
    VIGIL_ASSIGN_OR_RETURN(sha, Load(connection, script));
  }
  std::vector<std::string> argv;
  argv.reserve(3 + keys.size() + args.size());
  argv.push_back("EVALSHA");
  argv.push_back(sha);
  argv.push_back(std::to_string(keys.size()));
  argv.insert(argv.end(), keys.begin(), keys.end());
  argv.insert(argv.end(), args.begin(), args.end());
  std::string what = "script \"" + std::string(RedisScriptName(script)) + "\"";
  for (int round = 0; round < 2; ++round) {
    Result<RedisReply> reply = connection->Command(argv);
    if (!reply.ok()) return reply.status();
    if (!reply->is_error()) return reply;
    if (round == 0 && reply->str.compare(0, 8, "NOSCRIPT") == 0) {
      // The server lost its scripts (restarted, SCRIPT FLUSH): load again.
      Result<std::string> loaded = Load(connection, script);
      if (!loaded.ok()) return loaded.status();
      argv[1] = *loaded;
      continue;
    }
    return ReplyError(connection->endpoint(), *reply).Prefixed(what);
  }
  return Status::Internal(what + ": NOSCRIPT after loading it again");
}

}  // namespace vigil
