// The delivery benchmark of docs/PERFORMANCE.md (issue 18): onboarding
// --tenants tenants of --users synthetic users each through `vigil serve`
// (the shipped binary, default flags, SQLite) with one webhook channel to a
// receiver the benchmark runs on 127.0.0.1, and, side by side in the same
// run, an alertmanager channel to a real Alertmanager that routes the same
// alerts to the same receiver (its webhook receiver, grouped by tenant,
// group_wait 0s).
//
// Runs, each on a fresh database, every tenant triggered at once:
//   none                  no channel: the CPU baseline of sync + analysis
//   gw=0                  webhook --group-wait 0
//   gw=0 + alertmanager   the same, and the alertmanager channel beside it
//   gw=30s                webhook --group-wait 30s
// Reported per run: messages the receiver got (from vigil, and from
// Alertmanager), notifications they carried, latency from the analysis
// commit (a notification's `at`, the reconcile's time) to the receiver, p50
// and p99 over messages (for Alertmanager, from the alerts' startsAt, the
// analysis's as_of, which is earlier than its commit), and the serve
// process's CPU seconds, and per notification above the baseline.
//
// Usage: bench_delivery --vigil PATH [--tenants N] [--users U]
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "app/cli_support.h"
#include "app/database.h"
#include "app/webhook_sink.h"
#include "common/time.h"
#include "observe/log.h"
#include "providers/graph_writer.h"
#include "providers/synthetic.h"
#include "queue/sync_trigger.h"
#include "store/tenants.h"
#include "testing/alertmanager_server.h"

extern char** environ;

namespace vigil {
namespace {

constexpr const char* kKeyHex = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

[[noreturn]] void Die(const std::string& what, const std::string& why) {
  std::fprintf(stderr, "bench_delivery: %s: %s\n", what.c_str(), why.c_str());
  std::exit(1);
}

// Starts `args` with its standard output and error discarded.
int Run(const std::vector<std::string>& args) {
  std::vector<std::string> copy = args;
  std::vector<char*> argv;
  for (std::string& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t quiet;
  posix_spawn_file_actions_init(&quiet);
  posix_spawn_file_actions_addopen(&quiet, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&quiet, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  const int failed = posix_spawn(&pid, argv[0], &quiet, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&quiet);
  if (failed != 0) Die("starting " + args[0], "posix_spawn failed");
  return pid;
}

int RunToEnd(const std::vector<std::string>& args) {
  int status = 0;
  waitpid(Run(args), &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

double CpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::string f;
  long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> f; ++i) {
    if (i == 14) utime = std::stol(f);
    if (i == 15) stime = std::stol(f);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double Quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(q * (v.size() - 1) + 0.5))];
}

struct Figures {
  std::string run;
  int vigil_messages = 0, vigil_notifications = 0;
  std::vector<double> vigil_latency_ms;
  int am_messages = 0, am_alerts = 0;
  std::vector<double> am_latency_ms;
  double cpu_s = 0;
  double wall_s = 0;
};

// What the receiver got, split by who sent it.
void Tally(const std::vector<SinkRequest>& got, Figures* f) {
  for (const SinkRequest& r : got) {
    const nlohmann::json body = nlohmann::json::parse(r.body, nullptr, false);
    if (!body.is_object()) continue;
    if (r.target == "/am") {
      ++f->am_messages;
      int64_t newest = 0;
      for (const auto& a : body.value("alerts", nlohmann::json::array())) {
        ++f->am_alerts;
        if (auto t = ParseIso8601(a.value("startsAt", "")); t.ok()) newest = std::max(newest, *t);
      }
      if (newest > 0) f->am_latency_ms.push_back(static_cast<double>(r.received_ms - newest));
      continue;
    }
    ++f->vigil_messages;
    int64_t first = INT64_MAX;
    for (const auto& n : body.value("notifications", nlohmann::json::array())) {
      ++f->vigil_notifications;
      if (auto t = ParseIso8601(n.value("at", "")); t.ok()) first = std::min(first, *t);
    }
    if (first != INT64_MAX) f->vigil_latency_ms.push_back(static_cast<double>(r.received_ms - first));
  }
}

int64_t Count(Db* db, const std::string& sql) {
  Result<std::optional<int64_t>> n = db->QueryInt(sql);
  return n.ok() ? n->value_or(0) : -1;
}

Figures Measure(const std::string& run, const std::string& vigil, const std::string& dir,
                int tenants, const std::vector<std::string>& channel_flags, WebhookSink* sink,
                const std::string& am_url) {
  const std::string db_path = dir + "/" + run + ".db";
  {
    Result<std::unique_ptr<Db>> db = OpenDatabase(db_path);
    if (!db.ok()) Die("opening " + db_path, db.status().ToString());
    Transaction tx(db->get());
    for (int i = 0; i < tenants; ++i) {
      const std::string name = "t" + std::to_string(10000 + i);
      Result<TenantRow> t = EnsureTenant(db->get(), name, 1);
      if (!t.ok()) Die("tenant", t.status().ToString());
      const std::string settings = nlohmann::json{{"dir", dir + "/graph/" + name}}.dump();
      if (!EnsureDataSource(db->get(), t->id, "graph", "graph_json", settings, 1).ok()) {
        Die("data source", name);
      }
    }
    if (!tx.Commit().ok()) Die("setup", "commit failed");
  }
  if (!channel_flags.empty()) {
    std::vector<std::string> add = {vigil, "channel", "add", "--db", db_path, "--name", "hook",
                                    "--kind", "webhook", "--url", sink->url()};
    add.insert(add.end(), channel_flags.begin(), channel_flags.end());
    if (RunToEnd(add) != 0) Die("vigil channel add", "failed");
  }
  if (!am_url.empty()) {
    if (RunToEnd({vigil, "channel", "add", "--db", db_path, "--name", "am", "--kind",
                  "alertmanager", "--url", am_url, "--group-wait", "0"}) != 0) {
      Die("vigil channel add --kind alertmanager", "failed");
    }
  }
  sink->TakeReceived();
  const pid_t serve = Run({vigil, "serve", "--db", db_path, "--http", "off", "--log-level",
                           "error"});
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const auto start = std::chrono::steady_clock::now();
  Result<std::unique_ptr<Db>> db = OpenDatabase(db_path);
  auto clock = NewSystemClock();
  std::ostringstream err;
  std::unique_ptr<Queue> queue = OpenQueueOrReport(db_path, "", clock.get(), err);
  if (!queue) Die("queue", err.str());
  Result<std::vector<TenantRow>> all = ListTenants(db->get());
  for (const TenantRow& t : *all) {
    Result<std::vector<DataSourceRow>> sources = ListDataSources(db->get(), t.id);
    TriggerOptions options;
    options.by = "bench";
    if (!TriggerSync(db->get(), queue.get(), *clock, t.id, sources->front().id, options).ok()) {
      Die("trigger", t.name);
    }
  }
  Figures f;
  f.run = run;
  int quiet = 0;
  for (int s = 0; s < 600 && quiet < 4; ++s) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const size_t before = static_cast<size_t>(f.vigil_messages + f.am_messages);
    Tally(sink->TakeReceived(), &f);
    const bool done =
        Count(db->get(), "SELECT COUNT(*) FROM jobs WHERE state IN ('waiting', 'active', "
                         "'delayed')") == 0 &&
        Count(db->get(), "SELECT COUNT(*) FROM notifications WHERE state = 'pending'") == 0 &&
        Count(db->get(), "SELECT COUNT(*) FROM event_outbox WHERE routed_at IS NULL") == 0;
    quiet = done && before == static_cast<size_t>(f.vigil_messages + f.am_messages) ? quiet + 1 : 0;
  }
  f.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() - 2;
  Result<std::unique_ptr<Statement>> st = (*db)->Prepare(
      "SELECT c.kind, COUNT(*), AVG(d.duration_ms), MAX(d.duration_ms) FROM deliveries d"
      " JOIN channels c ON c.id = d.channel_id GROUP BY c.kind");
  for (;;) {
    if (!st.ok()) break;
    Result<bool> row = (*st)->Step();
    if (!row.ok() || !*row) break;
    std::fprintf(stderr, "  %s: %s attempts, send %.1f ms on average, %lld ms at most\n",
                 run.c_str(), ((*st)->String(0) + " " + (*st)->String(1)).c_str(),
                 std::stod((*st)->String(2)), static_cast<long long>((*st)->Int(3)));
  }
  f.cpu_s = CpuSeconds(serve);
  kill(serve, SIGTERM);
  waitpid(serve, nullptr, 0);
  return f;
}

}  // namespace
}  // namespace vigil

int main(int argc, char** argv) {
  using namespace vigil;
  std::string vigil_binary;
  int tenants = 1000, users = 50;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--vigil") vigil_binary = value;
    else if (flag == "--tenants") tenants = std::stoi(value);
    else if (flag == "--users") users = std::stoi(value);
    else {
      std::fprintf(stderr, "usage: bench_delivery --vigil PATH [--tenants N] [--users U]\n");
      return 2;
    }
  }
  if (vigil_binary.empty()) Die("--vigil", "is required");
  SetLogLevel(LogLevel::kWarn);
  setenv("VIGIL_SECRET_KEY", kKeyHex, 1);
  const std::string dir = std::filesystem::temp_directory_path().string() + "/vigil-bench-delivery";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  for (int i = 0; i < tenants; ++i) {
    SyntheticOptions options;
    options.tenant_name = "t" + std::to_string(10000 + i);
    options.users = users;
    options.seed = static_cast<uint64_t>(i + 1);
    options.now = NewSystemClock()->NowMs();
    Status s = WriteGraphDirectory(GenerateTenant(options), dir + "/graph/" + options.tenant_name);
    if (!s.ok()) Die("writing tenants", s.ToString());
  }
  Result<std::unique_ptr<WebhookSink>> sink = WebhookSink::Start();
  if (!sink.ok()) Die("receiver", sink.status().ToString());
  const std::string am_config =
      "route:\n  receiver: sink\n  group_by: ['tenant']\n  group_wait: 0s\n"
      "  group_interval: 1s\n  repeat_interval: 4h\n"
      "receivers:\n  - name: sink\n    webhook_configs:\n      - url: http://127.0.0.1:" +
      std::to_string((*sink)->port()) + "/am\n        send_resolved: true\n";
  auto am = testing::AlertmanagerServer::Start(am_config);
  if (!am.ok()) Die("prometheus-alertmanager", am.status().ToString());

  std::printf("command: bench_delivery --tenants %d --users %d (vigil serve on its default "
              "flags, SQLite; one webhook channel)\n\n",
              tenants, users);
  std::vector<Figures> runs;
  runs.push_back(Measure("none", vigil_binary, dir, tenants, {}, sink->get(), ""));
  runs.push_back(Measure("gw=0", vigil_binary, dir, tenants, {"--group-wait", "0"}, sink->get(),
                         ""));
  runs.push_back(Measure("gw=0 + alertmanager", vigil_binary, dir, tenants,
                         {"--group-wait", "0"}, sink->get(), (*am)->url()));
  runs.push_back(Measure("gw=30s", vigil_binary, dir, tenants, {"--group-wait", "30s"},
                         sink->get(), ""));
  std::printf("| run | messages (vigil) | notifications | commit -> receiver p50 | p99 | "
              "messages via Alertmanager | its alerts | as_of -> receiver p50 | p99 | serve CPU | "
              "CPU per notification above none | wall |\n");
  std::printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (const Figures& f : runs) {
    const double extra = f.vigil_notifications > 0
                             ? (f.cpu_s - runs[0].cpu_s) / (f.vigil_notifications + f.am_alerts) * 1e6
                             : 0;
    std::printf("| %s | %d | %d | %.0f ms | %.0f ms | %d | %d | %.0f ms | %.0f ms | %.2f s | %.0f us "
                "| %.1f s |\n",
                f.run.c_str(), f.vigil_messages, f.vigil_notifications,
                Quantile(f.vigil_latency_ms, 0.5), Quantile(f.vigil_latency_ms, 0.99),
                f.am_messages, f.am_alerts, Quantile(f.am_latency_ms, 0.5),
                Quantile(f.am_latency_ms, 0.99), f.cpu_s, extra, f.wall_s);
  }
  std::filesystem::remove_all(dir);
  return 0;
}
