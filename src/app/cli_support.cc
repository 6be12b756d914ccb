#include "app/cli_support.h"

#include <ostream>

#include "app/database.h"
#include "common/duration.h"
#include "common/time.h"
#include "queue/failover_queue.h"
#include "queue/local_queue.h"
#include "queue/redis_connection.h"
#include "queue/redis_queue.h"
#include "queue/schedules.h"

namespace vigil {

std::unique_ptr<Db> OpenDatabaseOrReport(const std::string& path, std::ostream& err) {
  Result<std::unique_ptr<Db>> db = OpenDatabase(path);
  if (!db.ok()) {
    err << "vigil: " << db.status().message() << "\n";
    return nullptr;
  }
  return std::move(db).value();
}

std::unique_ptr<Db> OpenExistingDatabaseOrReport(const std::string& path, std::ostream& err) {
  Result<std::unique_ptr<Db>> db = OpenExistingDatabase(path);
  if (!db.ok()) {
    err << "vigil: " << db.status().message() << "\n";
    return nullptr;
  }
  return std::move(db).value();
}

std::unique_ptr<Clock> AnalysisClockOrReport(const std::string& now, std::ostream& err) {
  if (now.empty()) return NewSystemClock();
  Result<TimeMs> at = ParseIso8601(now);
  if (!at.ok()) {
    err << "vigil: --now: " << at.status().message() << "\n";
    return nullptr;
  }
  return NewFixedClock(*at);
}

std::optional<TenantRow> FindTenantOrReport(Db* db, const std::string& name, std::ostream& err) {
  Result<std::optional<TenantRow>> tenant = FindTenant(db, name);
  if (!tenant.ok()) {
    err << "vigil: " << tenant.status().message() << "\n";
    return std::nullopt;
  }
  if (!tenant->has_value()) err << "vigil: no tenant named \"" << name << "\"\n";
  return *tenant;
}

std::optional<std::vector<DataSourceRow>> ChooseDataSourcesOrReport(Db* db,
                                                                    const std::string& tenant_name,
                                                                    const std::string& source,
                                                                    std::ostream& err) {
  std::optional<TenantRow> tenant = FindTenantOrReport(db, tenant_name, err);
  if (!tenant) return std::nullopt;
  Result<std::vector<DataSourceRow>> sources = ListDataSources(db, tenant->id);
  if (!sources.ok()) {
    err << "vigil: " << sources.status().message() << "\n";
    return std::nullopt;
  }
  std::vector<DataSourceRow> chosen;
  for (const DataSourceRow& s : *sources) {
    if (source.empty() || s.name == source) chosen.push_back(s);
  }
  if (chosen.empty()) {
    err << "vigil: tenant \"" << tenant_name << "\" has no data source"
        << (source.empty() ? "" : " named \"" + source + "\"") << "\n";
    return std::nullopt;
  }
  return chosen;
}

bool RedisUrlOkOrReport(const std::string& url, std::ostream& err) {
  if (url.empty()) return true;
  Result<RedisEndpoint> endpoint = ParseRedisUrl(url);
  if (!endpoint.ok()) err << "vigil: --redis: " << endpoint.status().message() << "\n";
  return endpoint.ok();
}

std::unique_ptr<Queue> OpenQueueOrReport(const std::string& path, const std::string& redis_url,
                                         const Clock* clock, std::ostream& err) {
  auto report = [&err](const Status& status) -> std::unique_ptr<Queue> {
    err << "vigil: " << status.message() << "\n";
    return nullptr;
  };
  if (!RedisUrlOkOrReport(redis_url, err)) return nullptr;
  std::unique_ptr<Db> db = OpenDatabaseOrReport(path, err);
  if (!db) return nullptr;
  Result<std::unique_ptr<Queue>> local = OpenLocalQueue(std::move(db), clock);
  if (!local.ok()) return report(local.status());
  if (redis_url.empty()) return std::move(local).value();
  std::unique_ptr<Db> outbox_db = OpenDatabaseOrReport(path, err);
  if (!outbox_db) return nullptr;
  RedisQueueOptions redis;
  redis.url = redis_url;
  redis.name = "vigil";
  Result<std::unique_ptr<FailoverQueue>> failover = FailoverQueue::Open(
      [redis, clock] { return OpenRedisQueue(redis, clock); }, std::move(local).value(),
      std::move(outbox_db), clock);
  if (!failover.ok()) return report(failover.status());
  return std::move(failover).value();
}

std::optional<int64_t> DurationOrReport(const std::string& flag, const std::string& text,
                                        std::ostream& err) {
  Result<int64_t> ms = ParseDuration(text);
  if (!ms.ok()) {
    err << "vigil: " << flag << ": " << ms.status().message() << "\n";
    return std::nullopt;
  }
  return *ms;
}

}  // namespace vigil
