#include "store/db_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "store/sqlite_db.h"

namespace vigil {
namespace {

// Each connection is its own in-memory database, so what a test sees on a
// lease tells which connection it got.
Result<std::unique_ptr<Db>> OpenMemory() { return OpenSqliteDb(":memory:"); }

DbPoolOptions Options(int max, int64_t timeout_ms = 5000) {
  DbPoolOptions options;
  options.max_connections = max;
  options.acquire_timeout_ms = timeout_ms;
  return options;
}

TEST(DbPoolTest, ReusesAReturnedConnection) {
  DbPool pool(OpenMemory, Options(4));
  {
    Result<DbLease> lease = pool.Acquire();
    ASSERT_TRUE(lease.ok()) << lease.status().ToString();
    ASSERT_TRUE((*lease)->ExecScript("CREATE TABLE mark (x INTEGER)").ok());
  }
  Result<DbLease> again = pool.Acquire();
  ASSERT_TRUE(again.ok());
  // The table made on the first lease is there: the same connection.
  EXPECT_TRUE((*again)->QueryInt("SELECT COUNT(*) FROM mark").ok());
  EXPECT_EQ(pool.stats().opened_total, 1);
  EXPECT_EQ(pool.stats().open, 1);
  EXPECT_EQ(pool.stats().idle, 0);
}

TEST(DbPoolTest, WaitsForAConnectionAndTimesOutWithAClearMessage) {
  DbPool pool(OpenMemory, Options(2, 50));
  Result<DbLease> a = pool.Acquire();
  Result<DbLease> b = pool.Acquire();
  ASSERT_TRUE(a.ok() && b.ok());
  Result<DbLease> c = pool.Acquire();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().ToString(),
            "unavailable: database pool: no connection free after 50 ms (2 of 2 in use)");
  EXPECT_EQ(pool.stats().open, 2);
}

TEST(DbPoolTest, AWaiterGetsTheConnectionReleasedByAnotherThread) {
  DbPool pool(OpenMemory, Options(1, 10000));
  Result<DbLease> held = pool.Acquire();
  ASSERT_TRUE(held.ok());
  std::atomic<bool> got{false};
  std::thread waiter([&] {
    Result<DbLease> lease = pool.Acquire();
    got = lease.ok();
  });
  while (pool.stats().waiting == 0) std::this_thread::yield();
  EXPECT_FALSE(got.load());
  *held = DbLease();  // give it back
  waiter.join();
  EXPECT_TRUE(got.load());
  EXPECT_EQ(pool.stats().opened_total, 1);
}

TEST(DbPoolTest, RollsBackATransactionLeftOpen) {
  DbPool pool(OpenMemory, Options(1));
  {
    Result<DbLease> lease = pool.Acquire();
    ASSERT_TRUE(lease.ok());
    ASSERT_TRUE((*lease)->ExecScript("CREATE TABLE t (x INTEGER)").ok());
    ASSERT_TRUE((*lease)->Begin().ok());
    ASSERT_TRUE((*lease)->Execute("INSERT INTO t (x) VALUES (1)", {}).ok());
    EXPECT_TRUE((*lease)->InTransaction());
  }
  Result<DbLease> again = pool.Acquire();
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE((*again)->InTransaction());
  Result<std::optional<int64_t>> rows = (*again)->QueryInt("SELECT COUNT(*) FROM t");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(**rows, 0);
}

TEST(DbPoolTest, ADiscardedConnectionIsClosedAndReplaced) {
  DbPool pool(OpenMemory, Options(1));
  {
    Result<DbLease> lease = pool.Acquire();
    ASSERT_TRUE(lease.ok());
    ASSERT_TRUE((*lease)->ExecScript("CREATE TABLE mark (x INTEGER)").ok());
    lease->Discard();
  }
  EXPECT_EQ(pool.stats().open, 0);
  Result<DbLease> fresh = pool.Acquire();
  ASSERT_TRUE(fresh.ok());
  EXPECT_FALSE((*fresh)->QueryInt("SELECT COUNT(*) FROM mark").ok());  // a new database
  EXPECT_EQ(pool.stats().opened_total, 2);
}

TEST(DbPoolTest, AnOpenerFailureIsReturnedAndFreesItsSlot) {
  int calls = 0;
  DbPool pool(
      [&]() -> Result<std::unique_ptr<Db>> {
        if (++calls == 1) return Status::Unavailable("postgresql://db: connection refused");
        return OpenMemory();
      },
      Options(1, 50));
  Result<DbLease> first = pool.Acquire();
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.status().ToString(), "unavailable: postgresql://db: connection refused");
  Result<DbLease> second = pool.Acquire();
  EXPECT_TRUE(second.ok()) << second.status().ToString();
}

TEST(DbPoolTest, ManyThreadsNeverHoldMoreThanTheCap) {
  DbPool pool(OpenMemory, Options(3, 60000));
  std::atomic<int> in_use{0}, most{0}, failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        Result<DbLease> lease = pool.Acquire();
        if (!lease.ok()) {
          ++failures;
          continue;
        }
        const int now = ++in_use;
        for (int seen = most.load(); now > seen && !most.compare_exchange_weak(seen, now);) {
        }
        if (!(*lease)->QueryInt("SELECT 1").ok()) ++failures;
        --in_use;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_LE(most.load(), 3);
  EXPECT_LE(pool.stats().opened_total, 3);
  EXPECT_EQ(pool.stats().idle, pool.stats().open);
}

}  // namespace
}  // namespace vigil
