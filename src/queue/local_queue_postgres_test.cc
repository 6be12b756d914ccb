// The local queue on PostgreSQL (a server the tests start): the queue
// conformance suite, unchanged, with every queue in a database of its own.
#include <gtest/gtest.h>

#include <map>
#include <mutex>

#include "queue/local_queue.h"
#include "store/postgres_db.h"
#include "testing/postgres_server.h"
#include "testing/queue_conformance.h"

namespace vigil {
namespace {

using testing::QueueConformanceTest;

const Clock* SystemClock() {
  static const std::unique_ptr<Clock> clock = NewSystemClock();
  return clock.get();
}

std::unique_ptr<Queue> OpenOn(const std::string& url, const LocalQueueOptions& options) {
  auto db = OpenPostgresDb(url);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  if (!db.ok()) return nullptr;
  auto queue = OpenLocalQueue(std::move(db).value(), SystemClock(), options);
  EXPECT_TRUE(queue.ok()) << queue.status().ToString();
  return queue.ok() ? std::move(queue).value() : nullptr;
}

testing::QueueFactory PostgresFactory() {
  struct Urls {
    std::mutex mu;
    std::map<const Queue*, std::string> url_of;
  };
  auto urls = std::make_shared<Urls>();
  LocalQueueOptions options;
  options.poll_ms = 50;
  testing::QueueFactory f;
  f.name = "LocalPostgres";
  f.max_stalled = options.max_stalled;
  f.open = [urls, options]() -> std::unique_ptr<Queue> {
    testing::PostgresServer* server = testing::SharedPostgresServer();
    if (server == nullptr) return nullptr;
    Result<std::string> url = server->NewDatabase();
    EXPECT_TRUE(url.ok()) << url.status().ToString();
    if (!url.ok()) return nullptr;
    std::unique_ptr<Queue> q = OpenOn(*url, options);
    std::lock_guard<std::mutex> lock(urls->mu);
    urls->url_of[q.get()] = *url;
    return q;
  };
  f.open_again = [urls, options](Queue* same) -> std::unique_ptr<Queue> {
    std::string url;
    {
      std::lock_guard<std::mutex> lock(urls->mu);
      url = urls->url_of.at(same);
    }
    return OpenOn(url, options);
  };
  return f;
}

INSTANTIATE_TEST_SUITE_P(Postgres, QueueConformanceTest, ::testing::Values(PostgresFactory()),
                         testing::QueueFactoryName);

}  // namespace
}  // namespace vigil
