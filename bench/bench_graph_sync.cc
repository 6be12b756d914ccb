// The live-connector benchmark of docs/PERFORMANCE.md (issue 6): a
// synthetic tenant of N users served by the fake Graph
// (tests/testing/fake_graph.h) over loopback, synced by the microsoft365
// provider through libcurl into SQLite:
//   full:        token + every endpoint paged ($top=500 users) + parse +
//                Syncer::Apply, end to end
//   incremental: P% of the users changed in the fake, then a sync through
//                the stored /users/delta link (delta pages + merge with the
//                stored users + apply)
// on a fresh SQLite file whose WAL is checkpointed inside the commits
// (SQLite's default), so the checkpoints are part of the timed apply.
//
// Checked, not assumed: the full sync read /users; the incremental one
// asked for the stored delta link (a /users/delta request with a delta
// token other than "latest") and made no /users request (no full read), and
// it rewrote exactly the changed users (none created or deleted). Otherwise
// the benchmark says what happened on stderr and exits 1.
//
// Usage: bench_graph_sync [--users N] [--changed PERCENT] [--dir DIR]
// Prints a "command:" line with every flag, then a Markdown table of one
// row (bench/scripts/bench_runs.py repeats it).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "providers/graph_writer.h"
#include "providers/microsoft365_provider.h"
#include "providers/synthetic.h"
#include "store/sqlite_db.h"
#include "store/tenants.h"
#include "sync/stored_users.h"
#include "sync/syncer.h"
#include "testing/fake_graph.h"

namespace vigil {
namespace {

using Steady = std::chrono::steady_clock;

double Seconds(Steady::time_point a, Steady::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

[[noreturn]] void Die(const std::string& what, const Status& s) {
  std::fprintf(stderr, "bench_graph_sync: %s: %s\n", what.c_str(), s.ToString().c_str());
  std::exit(1);
}

struct Target {
  std::unique_ptr<Db> db;
  int64_t tenant_id = 0;
  int64_t source_id = 0;
};

Target FreshTarget(const std::string& path, TimeMs now) {
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");
  Target t;
  Result<std::unique_ptr<Db>> db = OpenSqliteDb(path);
  if (!db.ok()) Die("open " + path, db.status());
  t.db = std::move(db).value();
  t.tenant_id = EnsureTenant(t.db.get(), "bench", now)->id;
  t.source_id =
      EnsureDataSource(t.db.get(), t.tenant_id, "m365", "microsoft365", "{}", now)->id;
  return t;
}

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "bench_graph_sync: %s\n", what.c_str());
  std::exit(1);
}

struct SyncRun {
  double fetch_s = 0;
  double apply_s = 0;
  KindCounts users;  // what the apply did to the users
  std::vector<std::string> requests;  // the fake's log lines of this sync
};

// One sync of `t` through the fake, timed.
SyncRun Sync(Target* t, testing::FakeGraph* graph, const Clock* clock) {
  Microsoft365Options options;
  options.credentials = {"bench-tenant", "bench-client", "bench-secret"};
  options.graph.authority_url = graph->authority_url();
  options.graph.graph_url = graph->graph_url();
  options.clock = clock;
  options.cursor = GetDataSource(t->db.get(), t->source_id)->sync_cursor;
  Db* db = t->db.get();
  const int64_t source_id = t->source_id;
  options.stored_users = [db, source_id] { return LoadStoredUsers(db, source_id); };
  Result<std::unique_ptr<Provider>> provider = NewMicrosoft365Provider(std::move(options));
  if (!provider.ok()) Die("provider", provider.status());
  const size_t logged_before = graph->Log().size();
  const auto t0 = Steady::now();
  Result<Snapshot> snapshot = (*provider)->Fetch();
  if (!snapshot.ok()) Die("fetch", snapshot.status());
  const auto t1 = Steady::now();
  Syncer syncer(db, clock);
  Result<SyncSummary> applied =
      syncer.Apply(t->tenant_id, t->source_id, std::move(snapshot).value(), {}, "bench");
  if (!applied.ok()) Die("apply", applied.status());
  const auto t2 = Steady::now();
  SyncRun run;
  run.fetch_s = Seconds(t0, t1);
  run.apply_s = Seconds(t1, t2);
  if (auto it = applied->kinds.find(EntityKind::kUser); it != applied->kinds.end()) {
    run.users = it->second;
  }
  std::vector<std::string> log = graph->Log();
  run.requests.assign(log.begin() + static_cast<std::ptrdiff_t>(logged_before), log.end());
  return run;
}

// Requests of `run` whose target starts with `prefix` ("GET /v1.0/users?").
int CountRequests(const SyncRun& run, const std::string& prefix) {
  return static_cast<int>(std::count_if(
      run.requests.begin(), run.requests.end(),
      [&](const std::string& line) { return line.rfind(prefix, 0) == 0; }));
}

// Exits 1 unless `full` read /users and `incremental` followed the stored
// delta link, read no /users and rewrote exactly `changed` users.
void CheckSyncs(const SyncRun& full, const SyncRun& incremental, int changed) {
  const std::string kUsers = "GET /v1.0/users?";
  const std::string kDelta = "GET /v1.0/users/delta?";
  if (CountRequests(full, kUsers) == 0) {
    Fail("the full sync made no /users request (" + std::to_string(full.requests.size()) +
         " requests)");
  }
  int by_delta_token = 0;
  for (const std::string& line : incremental.requests) {
    if (line.rfind(kDelta, 0) == 0 && line.find("$deltatoken=") != std::string::npos &&
        line.find("$deltatoken=latest") == std::string::npos) {
      ++by_delta_token;
    }
  }
  const int full_reads = CountRequests(incremental, kUsers);
  if (by_delta_token == 0 || full_reads > 0) {
    std::string first;  // the requests up to the first /users read
    for (size_t i = 0; i < incremental.requests.size() && i < 12; ++i) {
      first += "\n  " + incremental.requests[i];
      if (incremental.requests[i].rfind(kUsers, 0) == 0) break;
    }
    Fail("the incremental sync did not use the delta link: " + std::to_string(by_delta_token) +
         " /users/delta requests with a delta token, " + std::to_string(full_reads) +
         " /users requests (a full read); its requests:" + first);
  }
  const KindCounts& u = incremental.users;
  if (u.updated != changed || u.created != 0 || u.deleted != 0) {
    Fail("the incremental sync changed " + std::to_string(changed) + " users in the fake but "
         "updated " + std::to_string(u.updated) + ", created " + std::to_string(u.created) +
         " and deleted " + std::to_string(u.deleted));
  }
}

// Changes the display name of every `step`-th user of users.json in the fake.
int ChangeUsers(testing::FakeGraph* graph, const std::string& dir, int step, int round) {
  std::ifstream in(dir + "/users.json");
  nlohmann::json users = nlohmann::json::parse(in)["value"];
  int changed = 0;
  for (size_t i = 0; i < users.size(); i += step) {
    nlohmann::json u = users[i];
    u.erase("signInActivity");
    u["displayName"] = u["displayName"].get<std::string>() + " r" + std::to_string(round);
    graph->UpsertUser("bench-tenant", u.dump());
    ++changed;
  }
  return changed;
}

int Run(int users, int changed_percent, const std::string& root) {
  std::filesystem::create_directories(root);
  const std::string dir = root + "/graph";
  SyntheticOptions generate;
  generate.users = users;
  generate.seed = 42;
  generate.tenant_name = "bench";
  if (Status s = WriteGraphDirectory(GenerateTenant(generate), dir); !s.ok()) Die("write", s);
  std::unique_ptr<Clock> clock = NewFixedClock(generate.now);

  std::unique_ptr<testing::FakeGraph> graph = testing::FakeGraph::Start();
  graph->AddTenant("bench-tenant", "bench-client", "bench-secret");
  if (Status s = graph->LoadDirectory("bench-tenant", dir); !s.ok()) Die("load", s);

  const int step = std::max(1, 100 / std::max(1, changed_percent));
  Target target = FreshTarget(root + "/bench.db", generate.now);
  const SyncRun full = Sync(&target, graph.get(), clock.get());
  const int changed = ChangeUsers(graph.get(), dir, step, 1);
  const SyncRun incremental = Sync(&target, graph.get(), clock.get());
  CheckSyncs(full, incremental, changed);

  std::printf("command: bench_graph_sync --users %d --changed %d (users $top=500; SQLite, WAL "
              "checkpoints inside commits)\n\n",
              users, changed_percent);
  std::printf("| users | full: fetch | full: apply | full: fetch + apply | full users/s "
              "| changed | incremental: fetch | incremental: apply | incremental: fetch + apply "
              "| incremental: delta requests |\n");
  std::printf("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  std::printf("| %d | %.3f s | %.3f s | %.3f s | %.0f | %d | %.3f s | %.3f s | %.3f s | %d |\n",
              users, full.fetch_s, full.apply_s, full.fetch_s + full.apply_s,
              users / (full.fetch_s + full.apply_s), changed, incremental.fetch_s,
              incremental.apply_s, incremental.fetch_s + incremental.apply_s,
              CountRequests(incremental, "GET /v1.0/users/delta?"));
  std::fflush(stdout);
  std::filesystem::remove_all(root);
  return 0;
}

}  // namespace
}  // namespace vigil

int main(int argc, char** argv) {
  int users = 100000, changed = 1;
  std::string dir = std::filesystem::temp_directory_path() / "vigil-bench-graph";
  const char* kUsage = "usage: bench_graph_sync [--users N] [--changed PERCENT] [--dir DIR]\n";
  if (argc % 2 == 0) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--users") users = std::atoi(argv[i + 1]);
    else if (flag == "--changed") changed = std::atoi(argv[i + 1]);
    else if (flag == "--dir") dir = argv[i + 1];
    else {
      std::fputs(kUsage, stderr);
      return 2;
    }
  }
  if (users < 1 || changed < 1 || changed > 100) {
    std::fprintf(stderr, "bench_graph_sync: --users must be >= 1 and --changed 1 to 100\n");
    return 2;
  }
  return vigil::Run(users, changed, dir);
}
