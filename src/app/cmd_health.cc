// `vigil health`: what an operator runs before (and while) trusting vigil
// with jobs. Each check prints one line, "ok|warn|FAIL <check>: <why>".
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

#include "app/cli_commands.h"
#include "app/commands.h"
#include "app/database.h"
#include "app/readiness.h"
#include "queue/redis_connection.h"
#include "store/migrations.h"

namespace vigil {
namespace {

enum class Level { kOk, kWarn, kFail };

struct Check {
  std::string name;
  Level level = Level::kOk;
  std::string detail;
};

const char* LevelName(Level level) {
  switch (level) {
    case Level::kOk: return "ok";
    case Level::kWarn: return "warn";
    case Level::kFail: return "FAIL";
  }
  return "?";
}

void CheckDatabase(const std::string& flag, std::vector<Check>* checks) {
  const DatabaseSpec spec = ParseDatabaseSpec(flag);
  const bool sqlite = spec.kind == DatabaseSpec::Kind::kSqlite;
  const std::string& path = spec.shown;
  if (sqlite && access(spec.target.c_str(), F_OK) != 0) {
    checks->push_back({"database", Level::kFail,
                       "no database at " + path + " (vigil serve or vigil sync creates it)"});
    return;
  }
  // Not migrated here: the version is reported as it is.
  Result<std::unique_ptr<Db>> db = OpenDatabase(flag, /*migrate=*/false);
  if (!db.ok()) {
    checks->push_back({"database", Level::kFail, "cannot open " + path + ": " + db.status().message()});
    return;
  }
  checks->push_back({"database", Level::kOk, path + " opens"});

  const int known = AllMigrations().back().version;
  Result<int64_t> version = SchemaVersion(db->get());
  if (!version.ok()) {
    checks->push_back({"schema", Level::kFail,
                       "cannot read the schema version (" + version.status().message() +
                           "): not a vigil database?"});
  } else {
    const int64_t v = *version;
    const std::string text = "version " + std::to_string(v);
    if (v == known) {
      checks->push_back({"schema", Level::kOk, text + ", current"});
    } else if (v < known) {
      checks->push_back({"schema", Level::kWarn,
                         text + ", this vigil knows " + std::to_string(known) +
                             "; the next vigil command that opens it migrates it"});
    } else {
      checks->push_back({"schema", Level::kFail,
                         text + " is newer than this vigil knows (" + std::to_string(known) +
                             "): upgrade vigil"});
    }
  }

  // Writable: take the write lock and give it back without changing anything.
  Status begun = (*db)->Begin();
  if (begun.ok()) begun = (*db)->Rollback();
  if (sqlite && access(spec.target.c_str(), W_OK) != 0) {
    checks->push_back({"writable", Level::kFail, path + " is read-only for this user"});
  } else if (!begun.ok()) {
    checks->push_back({"writable", Level::kFail, "cannot take the write lock: " + begun.message()});
  } else {
    checks->push_back({"writable", Level::kOk, "the write lock can be taken"});
  }
}

// "major.minor.patch" -> comparable number.
int64_t VersionNumber(const std::string& v) {
  int major = 0, minor = 0, patch = 0;
  std::sscanf(v.c_str(), "%d.%d.%d", &major, &minor, &patch);
  return major * 10000LL + minor * 100LL + patch;
}

// The value of CONFIG GET `key`; nullopt (with *why set) when unreadable.
std::optional<std::string> ConfigGet(RedisConnection* c, const std::string& key,
                                     std::string* why) {
  Result<RedisReply> r = c->Command({"CONFIG", "GET", key});
  if (!r.ok()) {
    *why = r.status().message();
    return std::nullopt;
  }
  if (r->is_error()) {
    *why = r->str;
    return std::nullopt;
  }
  if (r->elements.size() < 2) {
    *why = "no such setting";
    return std::nullopt;
  }
  return r->at(1).AsString();
}

void CheckRedis(const std::string& url, std::vector<Check>* checks) {
  Result<RedisEndpoint> endpoint = ParseRedisUrl(url);
  if (!endpoint.ok()) {
    checks->push_back({"redis", Level::kFail, endpoint.status().message()});
    return;
  }
  Result<std::unique_ptr<RedisConnection>> conn = ConnectRedisForCheck(*endpoint);
  if (!conn.ok()) {
    checks->push_back({"redis", Level::kFail,
                       conn.status().message() +
                           " (vigil serve --redis runs on the local queue meanwhile)"});
    return;
  }
  RedisConnection* c = conn->get();
  // A server can accept connections and still not answer (stopped with
  // SIGSTOP, stuck in a script, swapping): PING first, within the timeout,
  // and stop there when it does not answer.
  Result<RedisReply> pong = c->Command({"PING"});
  if (!pong.ok() || pong->is_error()) {
    const std::string why = pong.ok() ? ReplyError(*endpoint, *pong).message()
                                      : pong.status().message();
    checks->push_back({"redis", Level::kFail,
                       "unresponsive: " + why +
                           " (vigil serve --redis runs on the local queue meanwhile)"});
    return;
  }
  Result<RedisReply> info = c->Command({"INFO", "server"});
  std::string version;
  if (info.ok() && !info->is_error()) {
    std::istringstream lines(info->AsString());
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("redis_version:", 0) == 0) {
        version = line.substr(14);
        while (!version.empty() && (version.back() == '\r' || version.back() == ' ')) {
          version.pop_back();
        }
      }
    }
  }
  checks->push_back({"redis", Level::kOk, endpoint->Describe() + " answers"});
  if (version.empty()) {
    checks->push_back({"redis version", Level::kWarn, "INFO server did not say"});
  } else if (VersionNumber(version) < VersionNumber("6.2.0")) {
    checks->push_back({"redis version", Level::kFail, version + ": vigil needs Redis 6.2 or later"});
  } else {
    checks->push_back({"redis version", Level::kOk, version});
  }

  std::string why;
  std::optional<std::string> policy = ConfigGet(c, "maxmemory-policy", &why);
  if (!policy) {
    checks->push_back({"maxmemory-policy", Level::kWarn,
                       "cannot read it (" + why + "); it must be noeviction"});
  } else if (*policy != "noeviction") {
    checks->push_back({"maxmemory-policy", Level::kFail,
                       *policy + ": Redis may evict job keys when memory is full; set "
                                 "maxmemory-policy noeviction"});
  } else {
    checks->push_back({"maxmemory-policy", Level::kOk, "noeviction"});
  }

  std::optional<std::string> aof = ConfigGet(c, "appendonly", &why);
  std::optional<std::string> fsync = aof ? ConfigGet(c, "appendfsync", &why) : std::nullopt;
  std::optional<std::string> save = aof ? ConfigGet(c, "save", &why) : std::nullopt;
  if (!aof || !fsync || !save) {
    checks->push_back({"persistence", Level::kWarn, "cannot read the settings (" + why + ")"});
  } else if (*aof == "yes") {
    checks->push_back({"persistence", *fsync == "no" ? Level::kWarn : Level::kOk,
                       "AOF on, appendfsync " + *fsync +
                           (*fsync == "always" ? ""
                                               : " (a crash may lose the last writes; the "
                                                 "reconciler restores them from the outbox)")});
  } else if (!save->empty()) {
    checks->push_back({"persistence", Level::kOk,
                       "RDB snapshots (save " + *save +
                           "), no AOF: a crash loses the jobs since the last snapshot until the "
                           "reconciler restores them; appendonly yes is safer"});
  } else {
    checks->push_back({"persistence", Level::kWarn,
                       "neither AOF nor RDB is on: a restart empties the queue (the reconciler "
                       "restores unfinished jobs from the outbox, but not their history); set "
                       "appendonly yes"});
  }
}

}  // namespace

int RunHealth(const HealthCommand& cmd, std::ostream& out, std::ostream& /*err*/) {
  std::vector<Check> checks;
  CheckDatabase(cmd.db, &checks);
  if (!cmd.redis.empty()) CheckRedis(cmd.redis, &checks);
  bool failed = false;
  nlohmann::json json = nlohmann::json::array();
  for (const Check& c : checks) {
    failed = failed || c.level == Level::kFail;
    if (cmd.json) {
      json.push_back({{"check", c.name},
                      {"status", c.level == Level::kOk     ? "ok"
                                 : c.level == Level::kWarn ? "warn"
                                                           : "fail"},
                      {"detail", c.detail}});
    } else {
      out << LevelName(c.level) << std::string(5 - std::string(LevelName(c.level)).size(), ' ')
          << c.name << ": " << c.detail << "\n";
    }
  }
  if (cmd.json) out << json.dump(2) << "\n";
  return failed ? kExitFailed : kExitOk;
}

// The command line of `vigil health`.
void AddHealthCommand(CLI::App& app, CommandContext* cli) {
  auto cmd = std::make_shared<HealthCommand>();
  CLI::App* c = app.add_subcommand(
      "health",
      "check the database (opens, schema version, writable) and Redis (reachable, version,\n"
      "maxmemory-policy noeviction, persistence); one line per check, exit 1 on a FAIL");
  c->add_option("--db", cmd->db, kDbHelp)->capture_default_str();
  c->add_option("--redis", cmd->redis, "also check this Redis server (redis:// URL)");
  c->add_flag("--json", cmd->json, "print the checks as a JSON array");
  OnRun(c, cmd, cli, RunHealth);
}

}  // namespace vigil
