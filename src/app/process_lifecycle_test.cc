#include "app/process_lifecycle.h"

#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <string>

namespace vigil {
namespace {

// Restores the test thread's signal mask, which ProcessLifecycle changes.
class ProcessLifecycleTest : public ::testing::Test {
 protected:
  void SetUp() override { pthread_sigmask(SIG_SETMASK, nullptr, &saved_); }
  void TearDown() override { pthread_sigmask(SIG_SETMASK, &saved_, nullptr); }

 private:
  sigset_t saved_;
};

TEST_F(ProcessLifecycleTest, TheWorkerNameIsTheFlagOrHostColonPid) {
  EXPECT_EQ(ProcessLifecycle::WorkerName("worker-7"), "worker-7");
  char host[256] = {};
  ASSERT_EQ(gethostname(host, sizeof host - 1), 0);
  EXPECT_EQ(ProcessLifecycle::WorkerName(""),
            std::string(host) + ":" + std::to_string(getpid()));
}

TEST_F(ProcessLifecycleTest, StopSignalsAreBlockedFromTheStart) {
  ProcessLifecycle lifecycle("test");
  sigset_t now;
  pthread_sigmask(SIG_SETMASK, nullptr, &now);
  EXPECT_EQ(sigismember(&now, SIGTERM), 1);
  EXPECT_EQ(sigismember(&now, SIGINT), 1);
}

// The log lines of one life, started -> SIGTERM -> draining -> stopped, as
// serve, worker and queue work write them.
TEST_F(ProcessLifecycleTest, LogsStartedDrainingOnTheSignalAndStopped) {
  ProcessLifecycle lifecycle("test.role");
  ::testing::internal::CaptureStderr();
  lifecycle.LogStarted({{"worker", "w1"}, {"concurrency", 3}});
  // Blocked, so it stays pending for this thread until the wait takes it.
  ASSERT_EQ(pthread_kill(pthread_self(), SIGTERM), 0);
  lifecycle.WaitForStopSignal(1500);
  const int status = lifecycle.Finish(0, {{"completed", 4}});
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(status, 0);
  const std::string pid = std::to_string(getpid());
  const size_t started = log.find("\"event\":\"test.role.started\",\"worker\":\"w1\","
                                  "\"concurrency\":3,\"pid\":" + pid + "}");
  const size_t draining =
      log.find("\"event\":\"test.role.draining\",\"signal\":\"SIGTERM\",\"deadline_ms\":1500}");
  const size_t stopped = log.find("\"event\":\"test.role.stopped\",\"completed\":4}");
  ASSERT_NE(started, std::string::npos) << log;
  ASSERT_NE(draining, std::string::npos) << log;
  ASSERT_NE(stopped, std::string::npos) << log;
  EXPECT_LT(started, draining);
  EXPECT_LT(draining, stopped);
  EXPECT_EQ(log.find("abandoned"), std::string::npos) << log;
}

TEST_F(ProcessLifecycleTest, SigintIsNamedToo) {
  ProcessLifecycle lifecycle("test.role");
  ::testing::internal::CaptureStderr();
  ASSERT_EQ(pthread_kill(pthread_self(), SIGINT), 0);
  lifecycle.WaitForStopSignal(0);
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(log.find("\"event\":\"test.role.draining\",\"signal\":\"SIGINT\",\"deadline_ms\":0}"),
            std::string::npos)
      << log;
}

// Jobs still running after the drain: warned about, then the process exits 0
// at once instead of waiting for them.
TEST_F(ProcessLifecycleTest, AbandonedJobsAreLoggedAndTheProcessExitsZeroAtOnce) {
  EXPECT_EXIT(
      {
        ProcessLifecycle lifecycle("test.role");
        lifecycle.Finish(2, {{"abandoned", 2}});
        std::abort();  // not reached: Finish leaves the process
      },
      ::testing::ExitedWithCode(0),
      "\"event\":\"test.role.abandoned\",\"jobs\":2,.*\n.*\"event\":\"test.role.stopped\","
      "\"abandoned\":2\\}");
}

}  // namespace
}  // namespace vigil
