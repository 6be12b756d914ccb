// The live-connector benchmark of docs/PERFORMANCE.md (issue 6): a
// synthetic tenant of N users served by the fake Graph
// (tests/testing/fake_graph.h) over loopback, synced by the microsoft365
// provider through libcurl into SQLite:
//   full:        token + every endpoint paged ($top=500 users) + parse +
//                Syncer::Apply, end to end
//   incremental: P% of the users changed in the fake, then a sync through
//                the stored /users/delta link (delta pages + merge with the
//                stored users + apply)
// Each is run --runs times (the full one on a fresh database each time).
//
// Usage: bench_graph_sync [--users N] [--changed PERCENT] [--runs K] [--dir DIR]
// Prints one Markdown table row per run.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

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

// One sync of `t` through the fake; returns the seconds of fetch and apply.
std::pair<double, double> Sync(Target* t, testing::FakeGraph* graph, const Clock* clock) {
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
  const auto t0 = Steady::now();
  Result<Snapshot> snapshot = (*provider)->Fetch();
  if (!snapshot.ok()) Die("fetch", snapshot.status());
  const auto t1 = Steady::now();
  Syncer syncer(db, clock);
  Result<SyncSummary> applied =
      syncer.Apply(t->tenant_id, t->source_id, std::move(snapshot).value(), {}, "bench");
  if (!applied.ok()) Die("apply", applied.status());
  const auto t2 = Steady::now();
  return {Seconds(t0, t1), Seconds(t1, t2)};
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

int Run(int users, int changed_percent, int runs, const std::string& root) {
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

  std::printf("| run | users | full: fetch + apply | full users/s | changed | incremental: fetch + apply |\n");
  std::printf("|---|---|---|---|---|---|\n");
  const int step = std::max(1, 100 / std::max(1, changed_percent));
  for (int run = 1; run <= runs; ++run) {
    Target target = FreshTarget(root + "/bench.db", generate.now);
    const auto [fetch, apply] = Sync(&target, graph.get(), clock.get());
    const int changed = ChangeUsers(graph.get(), dir, step, run);
    const auto [delta_fetch, delta_apply] = Sync(&target, graph.get(), clock.get());
    std::printf("| %d | %d | %.2f + %.2f = %.2f s | %.0f | %d | %.3f + %.3f = %.3f s |\n", run,
                users, fetch, apply, fetch + apply, users / (fetch + apply), changed, delta_fetch,
                delta_apply, delta_fetch + delta_apply);
    std::fflush(stdout);
  }
  std::filesystem::remove_all(root);
  return 0;
}

}  // namespace
}  // namespace vigil

int main(int argc, char** argv) {
  int users = 100000, changed = 1, runs = 3;
  std::string dir = std::filesystem::temp_directory_path() / "vigil-bench-graph";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--users") users = std::atoi(argv[i + 1]);
    else if (flag == "--changed") changed = std::atoi(argv[i + 1]);
    else if (flag == "--runs") runs = std::atoi(argv[i + 1]);
    else if (flag == "--dir") dir = argv[i + 1];
    else {
      std::fprintf(stderr, "usage: bench_graph_sync [--users N] [--changed PERCENT] [--runs K] [--dir DIR]\n");
      return 2;
    }
  }
  return vigil::Run(users, changed, runs, dir);
}
