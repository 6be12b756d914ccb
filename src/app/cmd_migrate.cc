// `vigil migrate`.
#include <ostream>

#include "app/cli_commands.h"
#include "app/commands.h"
#include "app/database.h"
#include "store/migrations.h"

namespace vigil {
namespace {

// The database's schema version; 0 for a database without vigil's schema.
int64_t VersionOf(Db* db) {
  Result<int64_t> version = SchemaVersion(db);
  return version.ok() ? *version : 0;
}

}  // namespace

int RunMigrate(const MigrateCommand& cmd, std::ostream& out, std::ostream& err) {
  const DatabaseSpec spec = ParseDatabaseSpec(cmd.db);
  Result<std::unique_ptr<Db>> before = OpenDatabase(cmd.db, /*migrate=*/false);
  if (!before.ok()) {
    err << "vigil: " << before.status().message() << "\n";
    return kExitFailed;
  }
  const int64_t from = VersionOf(before->get());
  before->reset();
  const int64_t known = AllMigrations().back().version;
  if (from > known) {
    err << "vigil: " << spec.shown << " has schema version " << from
        << ", newer than this vigil knows (" << known << "): upgrade vigil\n";
    return kExitFailed;
  }
  Result<std::unique_ptr<Db>> after = OpenDatabase(cmd.db, /*migrate=*/true);
  if (!after.ok()) {
    err << "vigil: " << after.status().message() << "\n";
    return kExitFailed;
  }
  const int64_t to = VersionOf(after->get());
  out << spec.shown << ": schema version " << to;
  if (to == from) {
    out << " (current; nothing to apply)\n";
  } else {
    out << " (applied " << (to - from) << " migration" << (to - from == 1 ? "" : "s")
        << " from version " << from << ")\n";
  }
  return kExitOk;
}

// The command line of `vigil migrate`.
void AddMigrateCommand(CLI::App& app, CommandContext* cli) {
  auto cmd = std::make_shared<MigrateCommand>();
  CLI::App* c = app.add_subcommand(
      "migrate", "apply the schema migrations to a database and print its schema version");
  c->add_option("--db", cmd->db, kDbHelp)->capture_default_str();
  OnRun(c, cmd, cli, RunMigrate);
}

}  // namespace vigil
