// The shadow-cost benchmark of docs/PERFORMANCE.md (issue 20): what running
// one candidate rule version in shadow adds to a tenant's analysis.
//
// One synthetic tenant of --users users (100,000 by default) shaped like an
// onboarding (synthetic.h OnboardingTenantOptions: most accounts stale, many
// without MFA), synced once into a SQLite file with the shipped defaults
// (`vigil sync` does the same: pipeline.h SyncFromDirectory). Then, timed,
// with the data unchanged:
//   1. --runs analyses (RunAnalysis: load, analyze, reconcile) without a
//      candidate;
//   2. `stale` v2 set as candidate (pipeline/rule_rollout.h), its first
//      shadowed analysis timed on its own (it writes every shadow alert);
//   3. --runs analyses with the candidate in shadow.
// Prints a "command:" line and a Markdown table: median and range of each,
// the ratio of the medians (target: at most 1.5), and the statements of the
// shadow reconcile (its span) in the first and the steady runs.
//
// Usage: bench_shadow [--users N] [--runs K] [--dir DIR]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "app/database.h"
#include "common/clock.h"
#include "common/ids.h"
#include "common/time.h"
#include "pipeline/pipeline.h"
#include "app/provider_factory.h"
#include "pipeline/rule_rollout.h"
#include "providers/graph_writer.h"
#include "providers/synthetic.h"

namespace vigil {
namespace {

using Steady = std::chrono::steady_clock;

[[noreturn]] void Die(const std::string& what, const Status& status) {
  std::fprintf(stderr, "bench_shadow: %s: %s\n", what.c_str(), status.ToString().c_str());
  std::exit(1);
}

struct Timed {
  double seconds = 0;
  uint64_t shadow_statements = 0;
  int would_resolve = 0;
};

class FixedClock : public Clock {
 public:
  explicit FixedClock(TimeMs now) : now_(now) {}
  TimeMs NowMs() const override { return now_; }
  void Advance() { now_ += 1000; }

 private:
  TimeMs now_;
};

Timed Analyze(Db* db, FixedClock* clock, int64_t tenant_id) {
  clock->Advance();
  Trace trace(NewTraceId(), clock, [db] { return db->statements_executed(); });
  const Steady::time_point start = Steady::now();
  Result<AnalysisOutcome> outcome = RunAnalysis(db, *clock, *clock, tenant_id, &trace);
  Timed t;
  t.seconds = std::chrono::duration<double>(Steady::now() - start).count();
  if (!outcome.ok()) Die("analysis", outcome.status());
  if (!outcome->shadow_status.ok()) Die("shadow run", outcome->shadow_status);
  for (const SpanRecord& span : trace.TakeFinished()) {
    if (span.name == "reconcile.shadow") t.shadow_statements = span.statements;
  }
  for (const ShadowRun& r : outcome->shadow) t.would_resolve += r.diff.would_resolve;
  return t;
}

struct Series {
  std::vector<double> seconds;
  double Median() const {
    std::vector<double> s = seconds;
    std::sort(s.begin(), s.end());
    return s[s.size() / 2];
  }
  std::string Range() const {
    char out[64];
    std::snprintf(out, sizeof out, "%.3f-%.3f",
                  *std::min_element(seconds.begin(), seconds.end()),
                  *std::max_element(seconds.begin(), seconds.end()));
    return out;
  }
};

int Main(int argc, char** argv) {
  int users = 100000;
  int runs = 5;
  std::string root = std::filesystem::temp_directory_path() / "vigil-bench-shadow";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--users") {
      users = std::stoi(argv[i + 1]);
    } else if (flag == "--runs") {
      runs = std::max(1, std::stoi(argv[i + 1]));
    } else if (flag == "--dir") {
      root = argv[i + 1];
    } else {
      std::fprintf(stderr, "bench_shadow: unknown flag %s\n", argv[i]);
      return 2;
    }
  }
  std::filesystem::remove_all(root);
  std::filesystem::create_directories(root);
  const std::string dir = root + "/tenant";
  SyntheticOptions options = OnboardingTenantOptions(users);
  options.tenant_name = "onboarding";
  if (Status s = WriteGraphDirectory(GenerateTenant(options), dir); !s.ok()) Die("generate", s);
  Result<std::unique_ptr<Db>> db = OpenDatabase(root + "/vigil.db");
  if (!db.ok()) Die("open", db.status());
  FixedClock clock(options.now);
  DirectorySync first = SyncFromDirectory(db->get(), clock, clock, "onboarding", "graph", dir, {},
                                          "bench", OpenGraphDirectory);
  if (!first.setup.ok()) Die("sync", first.setup);
  if (!first.outcome.status.ok()) Die("sync", first.outcome.status);
  if (!first.outcome.analysis) Die("first analysis", first.outcome.analysis_status);
  const int opened = first.outcome.analysis->reconcile.opened;

  Series without, with;
  for (int i = 0; i < runs; ++i) without.seconds.push_back(Analyze(db->get(), &clock, first.tenant_id).seconds);
  RolloutTarget all;
  all.all = true;
  if (auto set = SetCandidate(db->get(), clock, "stale", 2, all, "bench"); !set.ok()) {
    Die("rollout set", set.status());
  }
  const Timed first_shadow = Analyze(db->get(), &clock, first.tenant_id);
  Timed steady;
  for (int i = 0; i < runs; ++i) {
    steady = Analyze(db->get(), &clock, first.tenant_id);
    with.seconds.push_back(steady.seconds);
  }
  std::printf("command: bench_shadow --users %d --runs %d (SQLite, shipped defaults; %d alerts "
              "open; stale v2 in shadow would resolve %d)\n\n",
              users, runs, opened, steady.would_resolve);
  std::printf("| analysis | median s | range s | shadow reconcile statements |\n");
  std::printf("|---|---:|---:|---:|\n");
  std::printf("| without a candidate | %.3f | %s | - |\n", without.Median(), without.Range().c_str());
  std::printf("| first with stale v2 in shadow | %.3f | - | %llu |\n", first_shadow.seconds,
              static_cast<unsigned long long>(first_shadow.shadow_statements));
  std::printf("| with stale v2 in shadow | %.3f | %s | %llu |\n", with.Median(),
              with.Range().c_str(), static_cast<unsigned long long>(steady.shadow_statements));
  std::printf("\nshadow cost: %.2fx (median with / median without; target <= 1.5x), first "
              "shadowed analysis %.2fx\n",
              with.Median() / without.Median(), first_shadow.seconds / without.Median());
  std::filesystem::remove_all(root);
  return 0;
}

}  // namespace
}  // namespace vigil

int main(int argc, char** argv) { return vigil::Main(argc, argv); }
