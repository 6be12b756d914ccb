#include "queue/redis_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "queue/redis_connection.h"
#include "queue/worker.h"
#include "testing/queue_conformance.h"
#include "testing/redis_server.h"

namespace vigil {
namespace {

using testing::QueueConformanceTest;
using testing::RedisServer;

const Clock* SystemClock() {
  static const std::unique_ptr<Clock> clock = NewSystemClock();
  return clock.get();
}

RedisServer* Server() { return testing::SharedRedisServer(); }

// A queue name no other queue of this process has.
std::string FreshName() {
  static std::atomic<int> n{0};
  return "test-" + std::to_string(n++);
}

RedisQueueOptions Options(const std::string& name) {
  RedisQueueOptions o;
  o.url = Server() ? Server()->url() : "redis://127.0.0.1:1";
  o.name = name;
  return o;
}

std::unique_ptr<Queue> MustOpen(const RedisQueueOptions& options) {
  auto q = OpenRedisQueue(options, SystemClock());
  EXPECT_TRUE(q.ok()) << q.status().ToString();
  return q.ok() ? std::move(q).value() : nullptr;
}

// A raw connection to the test server, for looking at the keys.
std::unique_ptr<RedisConnection> Raw() {
  RedisEndpoint e;
  e.port = Server()->port();
  auto c = RedisConnection::Connect(e, 2000, 10000);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? std::move(c).value() : nullptr;
}

RedisReply Cmd(RedisConnection* c, std::vector<std::string> argv) {
  auto r = c->Command(argv);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : RedisReply();
}

// Every queue of the suite gets a fresh name on one server; a second handle
// opens the same name through its own connections.
testing::QueueFactory RedisFactory() {
  struct Names {
    std::mutex mu;
    std::map<const Queue*, std::string> name_of;
  };
  auto names = std::make_shared<Names>();
  testing::QueueFactory f;
  f.name = "Redis";
  f.max_stalled = RedisQueueOptions().max_stalled;
  f.open = [names]() -> std::unique_ptr<Queue> {
    std::string name = FreshName();
    std::unique_ptr<Queue> q = MustOpen(Options(name));
    std::lock_guard<std::mutex> lock(names->mu);
    names->name_of[q.get()] = name;
    return q;
  };
  f.open_again = [names](Queue* same) -> std::unique_ptr<Queue> {
    std::string name;
    {
      std::lock_guard<std::mutex> lock(names->mu);
      name = names->name_of.at(same);
    }
    return MustOpen(Options(name));
  };
  return f;
}

INSTANTIATE_TEST_SUITE_P(Redis, QueueConformanceTest, ::testing::Values(RedisFactory()),
                         testing::QueueFactoryName);

TEST(RedisQueueTest, OpenRejectsBadOptions) {
  RedisQueueOptions o;
  o.name = "";
  EXPECT_EQ(OpenRedisQueue(o, SystemClock()).status().ToString(),
            "invalid argument: open queue: name is empty");
  o = {};
  o.max_stalled = -1;
  EXPECT_EQ(OpenRedisQueue(o, SystemClock()).status().ToString(),
            R"(invalid argument: open queue "vigil": max_stalled must be >= 0 (got -1))");
  o = {};
  o.url = "http://localhost";
  EXPECT_EQ(OpenRedisQueue(o, SystemClock()).status().ToString(),
            R"(invalid argument: open queue "vigil": redis URL "http://localhost": expected redis://host:port)");
  o = {};
  o.url = "redis://127.0.0.1:99999";
  EXPECT_EQ(OpenRedisQueue(o, SystemClock()).status().ToString(),
            R"(invalid argument: open queue "vigil": redis URL "redis://127.0.0.1:99999": port must be a number in 1..65535)");
  o = {};
  o.hash_tag = "vigil";
  EXPECT_EQ(OpenRedisQueue(o, SystemClock()).status().ToString(),
            R"(invalid argument: open queue "vigil": hash tag "vigil" must look like {name})");
}

TEST(RedisQueueTest, UnreachableServerNamesIt) {
  ASSERT_NE(Server(), nullptr);
  // A port nobody listens on: the test server's, once stopped.
  auto other = RedisServer::Start();
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  int port = (*other)->port();
  (*other)->Stop();
  RedisQueueOptions o = Options("x");
  o.url = "redis://127.0.0.1:" + std::to_string(port);
  auto q = OpenRedisQueue(o, SystemClock());
  EXPECT_EQ(q.status().ToString(), "unavailable: open queue \"x\": redis 127.0.0.1:" +
                                       std::to_string(port) + ": connection refused");
}

TEST(RedisQueueTest, ParsesUrls) {
  auto e = ParseRedisUrl("redis://user:p%40ss@example.org:6380/2");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->host, "example.org");
  EXPECT_EQ(e->port, 6380);
  EXPECT_EQ(e->username, "user");
  EXPECT_EQ(e->password, "p@ss");
  EXPECT_EQ(e->db, 2);
  e = ParseRedisUrl("redis://localhost");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->Describe(), "localhost:6379");
  EXPECT_EQ(ParseRedisUrl("rediss://h:1").status().message(),
            R"(redis URL "rediss://h:1": TLS (rediss://) is not supported)");
}

// The layout BullMQ's tools read: the job hash, the lists and sets, the
// event stream.
TEST(RedisQueueTest, KeepsBullMqLayout) {
  ASSERT_NE(Server(), nullptr);
  std::string name = FreshName();
  auto q = MustOpen(Options(name));
  auto raw = Raw();
  ASSERT_TRUE(q && raw);
  const std::string base = "bull:" + name;

  JobOptions o;
  o.job_id = "sync:1";
  o.attempts = 3;
  o.backoff = {Backoff::Type::kExponential, 1000};
  o.group = "tenant-1";
  ASSERT_TRUE(q->Add("sync", R"({"tenant":1})", o).ok());
  RedisReply fields = Cmd(raw.get(), {"HGETALL", base + ":sync:1"});
  std::map<std::string, std::string> job;
  for (size_t i = 0; i + 1 < fields.elements.size(); i += 2) {
    job[fields.elements[i].str] = fields.elements[i + 1].str;
  }
  EXPECT_EQ(job["name"], "sync");
  EXPECT_EQ(job["data"], R"({"tenant":1})");
  EXPECT_EQ(job["opts"],
            R"({"attempts":3,"backoff":{"delay":1000,"type":"exponential"},"delay":0,"group":{"id":"tenant-1"},"jobId":"sync:1","priority":0})");
  EXPECT_EQ(job["delay"], "0");
  EXPECT_EQ(job["priority"], "0");
  EXPECT_FALSE(job["timestamp"].empty());
  EXPECT_EQ(job["vigil:group"], "tenant-1");
  // A grouped job waits in its group's set of ours (redis_scripts.h).
  EXPECT_EQ(Cmd(raw.get(), {"ZRANGE", base + ":vigil:g:tenant-1", "0", "-1"}).at(0).str, "sync:1");
  EXPECT_EQ(Cmd(raw.get(), {"LLEN", base + ":wait"}).integer, 0);
  EXPECT_EQ(Cmd(raw.get(), {"ZSCORE", base + ":marker", "0"}).str, "0");

  JobOptions prio;
  prio.priority = 7;
  auto added = q->Add("p", "{}", prio);
  ASSERT_TRUE(added.ok());
  const std::string added_p = added->job_id;
  std::string score = Cmd(raw.get(), {"ZSCORE", base + ":prioritized", added->job_id}).str;
  EXPECT_EQ(std::stoll(score) >> 32, 7);

  JobOptions later;
  later.delay_ms = 60000;
  added = q->Add("d", "{}", later);
  ASSERT_TRUE(added.ok());
  JobInfo info = q->Get(added->job_id).value();
  score = Cmd(raw.get(), {"ZSCORE", base + ":delayed", added->job_id}).str;
  EXPECT_EQ(std::stoll(score) / 4096, info.run_at);
  EXPECT_EQ(std::stoll(Cmd(raw.get(), {"ZSCORE", base + ":marker", "1"}).str), info.run_at);

  // The ring of groups was made with the ungrouped jobs' member next in
  // turn (redis_scripts.h): "p" first, then "sync:1".
  auto taken = q->Take("w", 30000, 0);
  ASSERT_TRUE(taken.ok() && taken->has_value());
  EXPECT_EQ((*taken)->id, added_p);
  ASSERT_TRUE(q->Complete(**taken, "null").ok());
  taken = q->Take("w", 30000, 0);
  ASSERT_TRUE(taken.ok() && taken->has_value());
  const Job& running = **taken;
  EXPECT_EQ(Cmd(raw.get(), {"GET", base + ":sync:1:lock"}).str, std::to_string(running.token));
  RedisReply ttl = Cmd(raw.get(), {"PTTL", base + ":sync:1:lock"});
  EXPECT_GT(ttl.integer, 0);
  EXPECT_LE(ttl.integer, 30000);
  EXPECT_EQ(Cmd(raw.get(), {"LRANGE", base + ":active", "0", "-1"}).at(0).str, "sync:1");
  ASSERT_TRUE(q->Complete(running, R"({"n":2})").ok());
  EXPECT_EQ(Cmd(raw.get(), {"HGET", base + ":sync:1", "returnvalue"}).str, R"({"n":2})");
  EXPECT_EQ(Cmd(raw.get(), {"HGET", base + ":sync:1", "atm"}).str, "1");
  EXPECT_EQ(Cmd(raw.get(), {"EXISTS", base + ":sync:1:lock"}).integer, 0);
  EXPECT_FALSE(Cmd(raw.get(), {"ZSCORE", base + ":completed", "sync:1"}).is_nil());

  // The event stream, in order.
  RedisReply events = Cmd(raw.get(), {"XRANGE", base + ":events", "-", "+"});
  std::vector<std::string> seen;
  std::string returned;
  for (const RedisReply& e : events.elements) {
    const RedisReply& kv = e.at(1);
    std::string event = kv.at(1).str;
    std::string id;
    for (size_t i = 2; i + 1 < kv.elements.size(); i += 2) {
      if (kv.at(i).str == "jobId") id = kv.at(i + 1).str;
      if (event == "completed" && kv.at(i).str == "returnvalue") returned = kv.at(i + 1).str;
    }
    if (id == "sync:1") seen.push_back(event);
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"added", "waiting", "active", "completed"}));
  EXPECT_EQ(returned, R"({"n":2})");
}

TEST(RedisQueueTest, WorkerConnectionsAreNamedAsBullMqNamesThem) {
  ASSERT_NE(Server(), nullptr);
  auto q = MustOpen(Options("named"));
  ASSERT_TRUE(q);
  std::thread taker([&] { (void)q->Take("host:1/0", 30000, 5000); });
  auto raw = Raw();
  bool found = false;
  // "bull:" + base64("named") + ":w:" + worker name.
  for (int i = 0; i < 500 && !found; ++i) {
    found = Cmd(raw.get(), {"CLIENT", "LIST"}).str.find("name=bull:bmFtZWQ=:w:host:1/0 ") !=
            std::string::npos;
    if (!found) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(found) << Cmd(raw.get(), {"CLIENT", "LIST"}).str;
  q->WakeAll();
  taker.join();
}

TEST(RedisQueueTest, HashTagPutsEveryKeyInOneSlot) {
  ASSERT_NE(Server(), nullptr);
  RedisQueueOptions o = Options("tagged");
  o.hash_tag = "{vigil}";
  auto q = MustOpen(o);
  ASSERT_TRUE(q);
  ASSERT_TRUE(q->Add("sync", "{}", {}).ok());
  auto raw = Raw();
  RedisReply keys = Cmd(raw.get(), {"KEYS", "*tagged*"});
  ASSERT_FALSE(keys.elements.empty());
  for (const RedisReply& k : keys.elements) EXPECT_EQ(k.str.rfind("{vigil}bull:tagged:", 0), 0u) << k.str;
}

TEST(RedisQueueTest, ScriptsAreLoadedAgainAfterAFlush) {
  ASSERT_NE(Server(), nullptr);
  auto q = MustOpen(Options(FreshName()));
  ASSERT_TRUE(q);
  auto raw = Raw();
  Cmd(raw.get(), {"SCRIPT", "FLUSH"});
  auto added = q->Add("sync", "{}", {});
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_TRUE(added->added);
}

// FLUSHALL (or a restart without persistence) loses the token counter with
// everything else; the next tokens must still be newer than any a worker
// holds from before, or that worker's late completion would pass for the
// new run's. Both ways of taking (Take and CompleteAndTake) are checked.
TEST(RedisQueueTest, TokensAfterAFlushAreNewerThanEveryTokenBefore) {
  ASSERT_NE(Server(), nullptr);
  auto q = MustOpen(Options(FreshName()));
  ASSERT_TRUE(q);
  JobOptions o;
  o.job_id = "sync:1:1";
  ASSERT_TRUE(q->Add("sync", "{}", o).ok());
  auto before = q->Take("a", 30000, 0);
  ASSERT_TRUE(before.ok() && before->has_value());

  Cmd(Raw().get(), {"FLUSHALL"});
  ASSERT_TRUE(q->Add("sync", "{}", o).ok());
  auto after = q->Take("b", 30000, 0);
  ASSERT_TRUE(after.ok() && after->has_value()) << after.status().ToString();
  EXPECT_GT((*after)->token, (*before)->token);
  EXPECT_EQ(q->Complete(**before, "null").code(), Code::kFailedPrecondition);
  ASSERT_TRUE(q->Complete(**after, "null").ok());

  Cmd(Raw().get(), {"FLUSHALL"});
  o.job_id = "sync:1:2";
  ASSERT_TRUE(q->Add("sync", "{}", o).ok());
  auto batch = q->CompleteAndTake({}, "c", 1, 30000, 0);
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  ASSERT_EQ(batch->taken.size(), 1u);
  EXPECT_GT(batch->taken[0].token, (*after)->token);
}

TEST(RedisQueueTest, ATakeReturnsWhenTheNextDelayedJobIsDue) {
  ASSERT_NE(Server(), nullptr);
  auto q = MustOpen(Options(FreshName()));
  ASSERT_TRUE(q);
  JobOptions o;
  o.job_id = "soon";
  o.delay_ms = 200;
  ASSERT_TRUE(q->Add("sync", "{}", o).ok());
  TimeMs due = q->Get("soon")->run_at;
  auto taken = q->Take("w", 30000, 10000);
  ASSERT_TRUE(taken.ok()) << taken.status().ToString();
  ASSERT_TRUE(taken->has_value());
  EXPECT_EQ((*taken)->id, "soon");
  EXPECT_GE(SystemClock()->NowMs(), due);
}

TEST(RedisQueueTest, LostLeaseMessageNamesTheJob) {
  ASSERT_NE(Server(), nullptr);
  auto q = MustOpen(Options(FreshName()));
  ASSERT_TRUE(q);
  JobOptions o;
  o.job_id = "sync:3:1700000000000";
  ASSERT_TRUE(q->Add("sync", "{}", o).ok());
  auto job = q->Take("w", 10000, 0);
  ASSERT_TRUE(job.ok() && job->has_value());
  Job stale = **job;
  stale.token -= 1;
  EXPECT_EQ(q->Complete(stale, "null").ToString(),
            R"(refused: job "sync:3:1700000000000": lease lost (another worker holds it))");
  EXPECT_EQ(q->Complete(**job, "{oops").ToString(),
            R"(invalid argument: complete job "sync:3:1700000000000": return value is not JSON)");
  ASSERT_TRUE(q->Complete(**job, "").ok());
  EXPECT_EQ(q->Get(o.job_id)->return_value, "null");
  EXPECT_EQ(q->Complete(**job, "null").ToString(),
            R"(refused: job "sync:3:1700000000000": lease lost (its lock expired or was released))");
}

// BullMQ's removeOnComplete (keep the newest N) and removeOnFail (0:
// remove at once), written into each job's opts.
TEST(RedisQueueTest, RemovesFinishedJobsAsBullMqDoes) {
  ASSERT_NE(Server(), nullptr);
  RedisQueueOptions o = Options(FreshName());
  o.remove_on_complete = 2;
  o.remove_on_fail = 0;
  auto q = MustOpen(o);
  ASSERT_TRUE(q);
  for (const char* id : {"c1", "c2", "c3", "f1"}) {
    JobOptions jo;
    jo.job_id = id;
    ASSERT_TRUE(q->Add("run", "{}", jo).ok());
  }
  for (int i = 0; i < 3; ++i) {
    auto job = q->Take("w", 30000, 0);
    ASSERT_TRUE(job.ok() && job->has_value());
    ASSERT_TRUE(q->Complete(**job, "null").ok());
  }
  auto job = q->Take("w", 30000, 0);
  ASSERT_TRUE(job.ok() && job->has_value());
  ASSERT_FALSE(q->Fail(**job, "boom")->will_retry);
  JobCounts c = q->Counts().value();
  EXPECT_EQ(c.completed, 2);
  EXPECT_EQ(c.failed, 0);
  EXPECT_EQ(q->Get("c1").status().code(), Code::kNotFound);
  EXPECT_EQ(q->Get("f1").status().code(), Code::kNotFound);
  EXPECT_EQ(q->Get("c3")->state, JobState::kCompleted);
  o.remove_on_fail = -2;
  EXPECT_EQ(OpenRedisQueue(o, SystemClock()).status().code(), Code::kInvalidArgument);
}

// The events stream stays about opts.maxLenEvents long, as BullMQ keeps it:
// each script run trims it once, so it grows past that by at most one
// run's events (and Redis's approximate trim keeps whole nodes of 100).
TEST(RedisQueueTest, EventsStreamIsTrimmedToMaxLenEvents) {
  ASSERT_NE(Server(), nullptr);
  RedisQueueOptions o = Options(FreshName());
  auto q = MustOpen(o);
  ASSERT_TRUE(q);
  auto raw = Raw();
  ASSERT_TRUE(raw);
  const std::string base = "bull:" + o.name;
  Cmd(raw.get(), {"HSET", base + ":meta", "opts.maxLenEvents", "50"});
  auto length = [&] { return Cmd(raw.get(), {"XLEN", base + ":events"}).AsInt(); };
  for (int i = 0; i < 400; ++i) ASSERT_TRUE(q->Add("run", "{}", {}).ok());
  EXPECT_GE(length(), 50);
  EXPECT_LE(length(), 50 + 100 + 2);
  auto taken = q->CompleteAndTake({}, "w", 300, 30000, 0);
  ASSERT_TRUE(taken.ok() && taken->taken.size() == 300u);
  std::vector<JobDone> done;
  for (const Job& j : taken->taken) done.push_back({j, "null"});
  ASSERT_TRUE(q->CompleteAndTake(done, "w", 0, 30000, 0).ok());
  EXPECT_GE(length(), 300);  // this run's 300 "completed" events are all there
  ASSERT_TRUE(q->Add("run", "{}", {}).ok());
  EXPECT_LE(length(), 50 + 100 + 2);
}

// A batch completion writes what a single one does: the attempts made and
// the removeOnComplete option come with the job when it was taken (or are
// read from the job when the caller does not know them), and the option
// is applied after every job of the batch is written.
TEST(RedisQueueTest, BatchCompletionKeepsAttemptsAndRemoveOnComplete) {
  ASSERT_NE(Server(), nullptr);
  RedisQueueOptions o = Options(FreshName());
  o.remove_on_complete = 2;
  auto q = MustOpen(o);
  ASSERT_TRUE(q);
  // z1 fails once first, so it is taken last; the newest two by the
  // completed set's order (one score for the batch, then the id) are b4, z1.
  for (const char* id : {"z1", "b2", "b3", "b4"}) {
    JobOptions jo;
    jo.job_id = id;
    jo.attempts = 3;
    ASSERT_TRUE(q->Add("run", "{}", jo).ok());
  }
  auto first = q->CompleteAndTake({}, "w", 1, 30000, 0);
  ASSERT_TRUE(first.ok() && first->taken.size() == 1u);
  ASSERT_TRUE(q->Fail(first->taken[0], "once").value().will_retry);  // z1: one attempt made
  auto taken = q->CompleteAndTake({}, "w", 4, 30000, 0);
  ASSERT_TRUE(taken.ok() && taken->taken.size() == 4u);
  std::vector<JobDone> done;
  for (const Job& j : taken->taken) {
    EXPECT_EQ(j.backend_note, "2");
    done.push_back({j, "\"" + j.id + "\""});
  }
  ASSERT_EQ(done[3].job.id, "z1");
  done[3].job.backend_note.clear();  // unknown: the script reads it
  auto r = q->CompleteAndTake(done, "w", 0, 30000, 0);
  ASSERT_TRUE(r.ok());
  for (const Status& s : r->completed) EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(q->Counts()->completed, 2);
  int kept = 0;
  for (const Job& j : taken->taken) {
    Result<JobInfo> info = q->Get(j.id);
    if (!info.ok()) {
      EXPECT_EQ(info.status().code(), Code::kNotFound);
      continue;
    }
    ++kept;
    EXPECT_EQ(info->state, JobState::kCompleted);
    EXPECT_EQ(info->return_value, "\"" + j.id + "\"");
    auto raw = Raw();
    ASSERT_TRUE(raw);
    std::string atm = Cmd(raw.get(), {"HGET", "bull:" + o.name + ":" + j.id, "atm"}).AsString();
    EXPECT_EQ(atm, j.id == "z1" ? "2" : "1") << j.id;
  }
  EXPECT_EQ(kept, 2);
  EXPECT_EQ(q->Get("b4")->state, JobState::kCompleted);
  EXPECT_EQ(q->Get("z1")->state, JobState::kCompleted);
}

// removeOnComplete true removes that job only, as BullMQ does: jobs added
// without the option (here by another producer) stay completed.
TEST(RedisQueueTest, RemoveOnCompleteTrueRemovesOnlyThatJob) {
  ASSERT_NE(Server(), nullptr);
  RedisQueueOptions keeping = Options(FreshName());
  RedisQueueOptions removing = keeping;
  removing.remove_on_complete = 0;
  auto keeper = MustOpen(keeping);
  auto remover = MustOpen(removing);
  ASSERT_TRUE(keeper && remover);
  for (const char* id : {"kept1", "kept2"}) {
    JobOptions jo;
    jo.job_id = id;
    ASSERT_TRUE(keeper->Add("run", "{}", jo).ok());
  }
  for (const char* id : {"gone1", "gone2"}) {
    JobOptions jo;
    jo.job_id = id;
    ASSERT_TRUE(remover->Add("run", "{}", jo).ok());
  }
  auto taken = keeper->CompleteAndTake({}, "w", 3, 30000, 0);
  ASSERT_TRUE(taken.ok() && taken->taken.size() == 3u);  // kept1, kept2, gone1
  std::vector<JobDone> done;
  for (const Job& j : taken->taken) done.push_back({j, "null"});
  ASSERT_TRUE(keeper->CompleteAndTake(done, "w", 0, 30000, 0).ok());
  auto last = keeper->Take("w", 30000, 0);  // gone2, completed one at a time
  ASSERT_TRUE(last.ok() && last->has_value());
  ASSERT_TRUE(keeper->Complete(**last, "null").ok());
  EXPECT_EQ(keeper->Get("kept1")->state, JobState::kCompleted);
  EXPECT_EQ(keeper->Get("kept2")->state, JobState::kCompleted);
  EXPECT_EQ(keeper->Get("gone1").status().code(), Code::kNotFound);
  EXPECT_EQ(keeper->Get("gone2").status().code(), Code::kNotFound);
  EXPECT_EQ(keeper->Counts()->completed, 2);
}

// Release gives a job back at once: first in line, its start not counted
// and no stall.
TEST(RedisQueueTest, ReleaseGivesAJobBackFirstInLineWithoutAStall) {
  ASSERT_NE(Server(), nullptr);
  auto q = MustOpen(Options(FreshName()));
  ASSERT_TRUE(q);
  for (const char* id : {"j1", "j2", "j3"}) {
    JobOptions jo;
    jo.job_id = id;
    ASSERT_TRUE(q->Add("run", "{}", jo).ok());
  }
  auto r = q->CompleteAndTake({}, "w", 2, 30000, 0);
  ASSERT_TRUE(r.ok() && r->taken.size() == 2u);
  ASSERT_TRUE(q->Release(r->taken[1]).ok());
  JobInfo j2 = q->Get("j2").value();
  EXPECT_EQ(j2.state, JobState::kWaiting);
  EXPECT_EQ(j2.attempts_made, 0);
  EXPECT_EQ(j2.stalled_count, 0);
  auto next = q->Take("w", 30000, 0);
  ASSERT_TRUE(next.ok() && next->has_value());
  EXPECT_EQ((*next)->id, "j2");
  EXPECT_EQ(q->Release(r->taken[1]).code(), Code::kFailedPrecondition);
}

// A CompleteAndTake of several completions and takes is one script run
// (one round trip), whatever the numbers, and runs 7 commands per job.
TEST(RedisQueueTest, CompleteAndTakeIsOneScriptRun) {
  ASSERT_NE(Server(), nullptr);
  auto q = MustOpen(Options(FreshName()));
  ASSERT_TRUE(q);
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(q->Add("run", "{}", {}).ok());
  auto first = q->CompleteAndTake({}, "w", 10, 30000, 0);
  ASSERT_TRUE(first.ok() && first->taken.size() == 10u);
  std::vector<JobDone> done;
  for (const Job& j : first->taken) done.push_back({j, "null"});
  auto raw = Raw();
  ASSERT_TRUE(raw);
  auto calls = [&] {
    std::string stats = Cmd(raw.get(), {"INFO", "commandstats"}).AsString();
    size_t at = stats.find("cmdstat_evalsha:calls=");
    return at == std::string::npos ? int64_t{0} : std::stoll(stats.substr(at + 22));
  };
  // Every command the server ran (INFO itself and the script call aside).
  auto commands = [&] {
    std::string stats = Cmd(raw.get(), {"INFO", "commandstats"}).AsString();
    int64_t total = 0;
    for (size_t at = stats.find("cmdstat_"); at != std::string::npos;
         at = stats.find("cmdstat_", at + 1)) {
      std::string name = stats.substr(at + 8, stats.find(':', at) - at - 8);
      if (name == "info" || name == "evalsha") continue;
      total += std::stoll(stats.substr(stats.find("calls=", at) + 6));
    }
    return total;
  };
  int64_t before = calls();
  int64_t commands_before = commands();
  auto second = q->CompleteAndTake(done, "w", 10, 30000, 0);
  EXPECT_EQ(calls() - before, 1);
  // Per job: taking 4 (HMGET, SET lock, HSET, XADD), completing 3 (LREM,
  // HSET, XADD); the rest is one call for the whole batch each. Completing
  // and taking one job at a time took 13 per job.
  EXPECT_LE(commands() - commands_before, 10 * 7 + 16);
  ASSERT_TRUE(second.ok());
  for (const Status& s : second->completed) EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(second->taken.size(), 10u);
  EXPECT_EQ(q->Counts()->completed, 10);
}

// A prefetching Worker on Redis gives the jobs it took ahead and did not
// start back when it stops: waiting again, no start or stall counted.
TEST(RedisQueueTest, PrefetchingWorkerGivesBackJobsItDidNotStart) {
  ASSERT_NE(Server(), nullptr);
  auto q = MustOpen(Options(FreshName()));
  ASSERT_TRUE(q);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(q->Add("run", "{}", {}).ok());
  std::atomic<int> runs{0};
  std::atomic<bool> go{false};
  class Blocking : public JobHandler {
   public:
    Blocking(std::atomic<int>* runs, std::atomic<bool>* go) : runs_(runs), go_(go) {}
    Result<std::string> Run(const Job&) override {
      ++*runs_;
      while (!*go_) std::this_thread::sleep_for(std::chrono::milliseconds(2));
      return std::string("null");
    }

   private:
    std::atomic<int>* runs_;
    std::atomic<bool>* go_;
  };
  WorkerOptions wo;
  wo.prefetch = 5;  // 1 runs, 4 ahead
  wo.take_wait_ms = 200;
  Worker worker(
      q.get(),
      [&]() -> Result<std::unique_ptr<JobHandler>> {
        return std::unique_ptr<JobHandler>(new Blocking(&runs, &go));
      },
      wo, SystemClock());
  ASSERT_TRUE(worker.Start().ok());
  auto end = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while ((runs < 1 || q->Counts()->active < 5) && std::chrono::steady_clock::now() < end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ(q->Counts()->active, 5);  // one running, four ahead
  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    go = true;
  });
  EXPECT_EQ(worker.Stop(20000), 0);
  release.join();
  EXPECT_EQ(runs.load(), 1);
  EXPECT_EQ(worker.stats().completed, 1);
  JobCounts c = q->Counts().value();
  EXPECT_EQ(c.completed, 1);
  EXPECT_EQ(c.waiting, 4);
  EXPECT_EQ(c.active, 0);
  auto listed = q->List({JobState::kWaiting, "", 10});
  ASSERT_TRUE(listed.ok());
  for (const JobInfo& j : *listed) {
    EXPECT_EQ(j.attempts_made, 0) << j.id;
    EXPECT_EQ(j.stalled_count, 0) << j.id;
  }
}

// A prefetching Worker at concurrency 8 on Redis runs every job exactly
// once, with nothing lost, refused or failed.
TEST(RedisQueueTest, PrefetchingWorkerRunsEveryJobOnce) {
  ASSERT_NE(Server(), nullptr);
  auto q = MustOpen(Options(FreshName()));
  ASSERT_TRUE(q);
  constexpr int kJobs = 600;
  for (int i = 0; i < kJobs; ++i) ASSERT_TRUE(q->Add("run", "{}", {}).ok());
  std::mutex mu;
  std::map<std::string, int> runs;
  class Counting : public JobHandler {
   public:
    Counting(std::mutex* mu, std::map<std::string, int>* runs) : mu_(mu), runs_(runs) {}
    Result<std::string> Run(const Job& job) override {
      std::lock_guard<std::mutex> lock(*mu_);
      ++(*runs_)[job.id];
      return std::string("null");
    }

   private:
    std::mutex* mu_;
    std::map<std::string, int>* runs_;
  };
  WorkerOptions wo;
  wo.concurrency = 8;
  wo.prefetch = 16;
  wo.take_wait_ms = 200;
  Worker worker(
      q.get(),
      [&]() -> Result<std::unique_ptr<JobHandler>> {
        return std::unique_ptr<JobHandler>(new Counting(&mu, &runs));
      },
      wo, SystemClock());
  ASSERT_TRUE(worker.Start().ok());
  auto end = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (worker.stats().completed < kJobs && std::chrono::steady_clock::now() < end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(worker.Stop(5000), 0);
  Worker::Stats stats = worker.stats();
  EXPECT_EQ(stats.completed, kJobs);
  EXPECT_EQ(stats.failed + stats.retried + stats.lease_lost + stats.errors, 0);
  EXPECT_EQ(q->Counts()->completed, kJobs);
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(runs.size(), static_cast<size_t>(kJobs));
  for (const auto& [id, n] : runs) EXPECT_EQ(n, 1) << id;
}

}  // namespace
}  // namespace vigil
