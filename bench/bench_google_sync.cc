// The live Google Workspace benchmark of docs/PERFORMANCE.md (issue 21): a
// Workspace customer of N users (with roles, role assignments and one
// license for every other user) served by FakeGoogleServer
// (tests/testing/fake_google.h) over loopback, synced by the
// google_workspace provider through libcurl into SQLite:
//   full:    token (a signed RS256 assertion) + every API paged
//            (users maxResults=500) + parse + Syncer::Apply, end to end
//   resync:  the same, unchanged (the apply writes nothing)
// on a fresh SQLite file whose WAL is checkpointed inside the commits
// (SQLite's default), as bench_graph_sync does, so the two compare.
//
// Checked, not assumed: the full sync created every user and read users in
// ceil(N / 500) pages; the resync created, updated and deleted nothing.
// Otherwise the benchmark says what happened on stderr and exits 1.
//
// Usage: bench_google_sync [--users N] [--dir DIR]
// Prints a "command:" line with every flag, then a Markdown table of one
// row (bench/scripts/bench_runs.py repeats it).
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "common/clock.h"
#include "providers/google_workspace_provider.h"
#include "store/sqlite_db.h"
#include "store/tenants.h"
#include "sync/syncer.h"
#include "testing/fake_google.h"
#include "testing/rsa_test_key.h"

namespace vigil {
namespace {

using Steady = std::chrono::steady_clock;

constexpr char kEmail[] = "bench@vigil-bench.iam.gserviceaccount.com";
constexpr char kAdmin[] = "admin@bench.example.com";
constexpr int kPageSize = 500;

double Seconds(Steady::time_point a, Steady::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

[[noreturn]] void Die(const std::string& what, const Status& s) {
  std::fprintf(stderr, "bench_google_sync: %s: %s\n", what.c_str(), s.ToString().c_str());
  std::exit(1);
}

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "bench_google_sync: %s\n", what.c_str());
  std::exit(1);
}

// User i as users.list gives it with projection=full (the fields vigil reads).
std::string User(int i) {
  const std::string n = std::to_string(i);
  return "{\"kind\":\"admin#directory#user\",\"id\":\"1" + n + "\",\"primaryEmail\":\"user" + n +
         "@bench.example.com\",\"name\":{\"givenName\":\"User\",\"familyName\":\"" + n +
         "\",\"fullName\":\"User " + n + "\"},\"isAdmin\":" + (i % 1000 == 0 ? "true" : "false") +
         ",\"isDelegatedAdmin\":false,\"isEnrolledIn2Sv\":" + (i % 4 ? "true" : "false") +
         ",\"isEnforcedIn2Sv\":" + (i % 8 ? "true" : "false") +
         ",\"suspended\":" + (i % 97 == 0 ? "true" : "false") +
         ",\"archived\":false,\"creationTime\":\"2023-03-04T05:06:07.000Z\",\"lastLoginTime\":\"" +
         (i % 10 ? "2025-11-20T08:00:00.000Z" : "1970-01-01T00:00:00.000Z") +
         "\",\"orgUnitPath\":\"/Staff\",\"customerId\":\"C0bench\"}";
}

void Serve(testing::FakeGoogleServer* google, const testing::RsaTestKey& key, int users) {
  google->SetServiceAccount(kEmail, "bench-kid", key.public_pem);
  google->AllowAdmin(kAdmin);
  std::vector<std::string> list, assignments, licenses;
  for (int i = 0; i < users; ++i) {
    list.push_back(User(i));
    if (i % 1000 == 0) {
      assignments.push_back("{\"roleAssignmentId\":\"ra" + std::to_string(i) +
                            "\",\"roleId\":\"91\",\"assignedTo\":\"1" + std::to_string(i) +
                            "\",\"assigneeType\":\"user\"}");
    }
    if (i % 2 == 0) {
      licenses.push_back("{\"productId\":\"Google-Apps\",\"skuId\":\"1010020020\",\"skuName\":"
                         "\"Google Workspace Enterprise Plus\",\"userId\":\"user" +
                         std::to_string(i) + "@bench.example.com\"}");
    }
  }
  google->SetUsers(std::move(list));
  google->SetRoles({R"({"roleId":"91","roleName":"_SEED_ADMIN_ROLE","isSuperAdminRole":true})",
                    R"({"roleId":"92","roleName":"_HELP_DESK_ADMIN_ROLE"})"});
  google->SetRoleAssignments(std::move(assignments));
  google->SetLicenses("Google-Apps", std::move(licenses));
}

struct SyncRun {
  double fetch_s = 0;
  double apply_s = 0;
  KindCounts users;
  int user_pages = 0;
};

SyncRun Sync(Db* db, int64_t tenant_id, int64_t source_id, testing::FakeGoogleServer* google,
             const std::string& key_json, const Clock* clock) {
  GoogleWorkspaceOptions options;
  Result<ServiceAccountKey> key = ParseServiceAccountKey("bench key", key_json);
  if (!key.ok()) Die("key", key.status());
  options.credentials = {std::move(key).value(), kAdmin};
  options.google.api_url = google->url();
  options.google.licensing_url = google->url();
  Result<std::unique_ptr<Provider>> provider = NewGoogleWorkspaceProvider(std::move(options));
  if (!provider.ok()) Die("provider", provider.status());
  const int pages_before = google->Requests("/admin/directory/v1/users");
  const auto t0 = Steady::now();
  Result<Snapshot> snapshot = (*provider)->Fetch();
  if (!snapshot.ok()) Die("fetch", snapshot.status());
  const auto t1 = Steady::now();
  Syncer syncer(db, clock);
  Result<SyncSummary> applied =
      syncer.Apply(tenant_id, source_id, std::move(snapshot).value(), {}, "bench");
  if (!applied.ok()) Die("apply", applied.status());
  const auto t2 = Steady::now();
  SyncRun run;
  run.fetch_s = Seconds(t0, t1);
  run.apply_s = Seconds(t1, t2);
  if (auto it = applied->kinds.find(EntityKind::kUser); it != applied->kinds.end()) {
    run.users = it->second;
  }
  run.user_pages = google->Requests("/admin/directory/v1/users") - pages_before;
  return run;
}

int Run(int users, const std::string& root) {
  std::filesystem::create_directories(root);
  const std::string path = root + "/bench.db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  std::unique_ptr<testing::FakeGoogleServer> google = testing::FakeGoogleServer::Start();
  if (!google) Fail("cannot start the fake Google server");
  const testing::RsaTestKey key = testing::NewRsaTestKey();
  Serve(google.get(), key, users);
  const std::string key_json =
      testing::ServiceAccountKeyJson(key, kEmail, "bench-kid", google->token_url());
  std::unique_ptr<Clock> clock = NewSystemClock();

  Result<std::unique_ptr<Db>> db = OpenSqliteDb(path);
  if (!db.ok()) Die("open " + path, db.status());
  const TimeMs now = clock->NowMs();
  const int64_t tenant_id = EnsureTenant(db->get(), "bench", now)->id;
  const int64_t source_id =
      EnsureDataSource(db->get(), tenant_id, "google", "google_workspace", "{}", now)->id;
  const SyncRun full = Sync(db->get(), tenant_id, source_id, google.get(), key_json, clock.get());
  const SyncRun resync =
      Sync(db->get(), tenant_id, source_id, google.get(), key_json, clock.get());
  const int pages = (users + kPageSize - 1) / kPageSize;
  if (full.users.created != users || full.user_pages != pages) {
    Fail("the full sync created " + std::to_string(full.users.created) + " of " +
         std::to_string(users) + " users in " + std::to_string(full.user_pages) +
         " pages (expected " + std::to_string(pages) + ")");
  }
  const KindCounts& u = resync.users;
  if (u.created != 0 || u.updated != 0 || u.deleted != 0) {
    Fail("the unchanged resync created " + std::to_string(u.created) + ", updated " +
         std::to_string(u.updated) + " and deleted " + std::to_string(u.deleted) + " users");
  }

  std::printf("command: bench_google_sync --users %d (users maxResults=%d; SQLite, WAL "
              "checkpoints inside commits)\n\n",
              users, kPageSize);
  std::printf("| users | full: fetch | full: apply | full: fetch + apply | full users/s "
              "| fetch users/s | resync: fetch + apply | resync users/s |\n");
  std::printf("|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  std::printf("| %d | %.3f s | %.3f s | %.3f s | %.0f | %.0f | %.3f s | %.0f |\n", users,
              full.fetch_s, full.apply_s, full.fetch_s + full.apply_s,
              users / (full.fetch_s + full.apply_s), users / full.fetch_s,
              resync.fetch_s + resync.apply_s, users / (resync.fetch_s + resync.apply_s));
  std::fflush(stdout);
  google.reset();
  std::filesystem::remove_all(root);
  return 0;
}

}  // namespace
}  // namespace vigil

int main(int argc, char** argv) {
  int users = 100000;
  std::string dir = std::filesystem::temp_directory_path() / "vigil-bench-google";
  const char* kUsage = "usage: bench_google_sync [--users N] [--dir DIR]\n";
  if (argc % 2 == 0) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--users") {
      users = std::atoi(argv[i + 1]);
    } else if (flag == "--dir") {
      dir = argv[i + 1];
    } else {
      std::fputs(kUsage, stderr);
      return 2;
    }
  }
  if (users < 1) {
    std::fprintf(stderr, "bench_google_sync: --users must be >= 1\n");
    return 2;
  }
  return vigil::Run(users, dir);
}
