// Helpers shared by the CLI commands: opening the database and reading the
// `--now` flag, each printing a user-facing error on failure.
#pragma once

#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "queue/queue.h"
#include "store/db.h"
#include "store/tenants.h"

namespace vigil {

// The help text of every --db flag.
inline constexpr const char* kDbHelp =
    "database: a SQLite file (or sqlite:PATH; only commands that write\n"
    "create a missing one) or a postgresql://user[:password]@host:port/db URL";

// Opens (creating and migrating) the SQLite database at `path`; on failure
// prints "vigil: <why>" to `err` and returns null.
std::unique_ptr<Db> OpenDatabaseOrReport(const std::string& path, std::ostream& err);

// As OpenDatabaseOrReport, for the commands that only read (or change rows
// that must exist): a SQLite path with no file behind it prints
// "vigil: no database at PATH (`vigil migrate --db PATH` creates one)" and
// creates nothing (app/database.h OpenExistingDatabase).
std::unique_ptr<Db> OpenExistingDatabaseOrReport(const std::string& path, std::ostream& err);

// The analysis clock: fixed at `now` when given, the system clock otherwise.
// On a malformed `now` prints "vigil: --now: <why>" and returns null.
std::unique_ptr<Clock> AnalysisClockOrReport(const std::string& now, std::ostream& err);

// The tenant called `name`; on failure (or when there is none) prints
// "vigil: no tenant named \"<name>\"" (or the database's error) and returns nullopt.
std::optional<TenantRow> FindTenantOrReport(Db* db, const std::string& name, std::ostream& err);

// The data sources of tenant `tenant_name`: all of them, or the one named
// `source` when it is not empty. On failure (no such tenant, no data source,
// none of that name, a database error) prints "vigil: <why>" and returns nullopt.
std::optional<std::vector<DataSourceRow>> ChooseDataSourcesOrReport(Db* db,
                                                                    const std::string& tenant_name,
                                                                    const std::string& source,
                                                                    std::ostream& err);

// Whether `url` (a --redis flag's value) is empty or a well-formed redis://
// URL; otherwise prints "vigil: --redis: <why>" (a usage error).
bool RedisUrlOkOrReport(const std::string& url, std::ostream& err);

// The job queue of the database at `path`, as `vigil serve` runs it: the
// local queue when `redis_url` is empty; otherwise Redis queue "vigil"
// behind the database's job outbox, with the local queue as its fallback
// (queue/failover_queue.h), so a job added while Redis is unreachable is
// kept and relayed later. On failure (a malformed URL, the database) prints
// "vigil: <why>" and returns null.
std::unique_ptr<Queue> OpenQueueOrReport(const std::string& path, const std::string& redis_url,
                                         const Clock* clock, std::ostream& err);

// The milliseconds of a duration flag ("30s"); on failure prints
// "vigil: <flag>: <why>" and returns nullopt (a usage error).
std::optional<int64_t> DurationOrReport(const std::string& flag, const std::string& text,
                                        std::ostream& err);

}  // namespace vigil
