// The Queue conformance suite (tests only): the semantics of queue/queue.h
// as value-parameterized tests that every backend runs unchanged. A backend's
// test file instantiates it with a factory:
//
//   INSTANTIATE_TEST_SUITE_P(Local, QueueConformanceTest,
//                            ::testing::Values(MyFactory()), QueueFactoryName);
//
// The tests use real time with small delays and leases (30-100 ms) and wait
// generously for what must happen; they assert order and states, never that
// something was fast.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>

#include "queue/queue.h"

namespace vigil::testing {

struct QueueFactory {
  // Names the instantiation (letters, digits and '_').
  std::string name;
  // A fresh, empty queue on every call, on the system clock.
  std::function<std::unique_ptr<Queue>()> open;
  // A second handle to the queue `same` (opened by `open`), as another
  // process would open it; empty when the backend has no such thing (the
  // tests that need it are skipped).
  std::function<std::unique_ptr<Queue>(Queue* same)> open_again;
  // The max_stalled of the queues `open` makes.
  int max_stalled = 1;
};

class QueueConformanceTest : public ::testing::TestWithParam<QueueFactory> {
 protected:
  void SetUp() override;
  void TearDown() override;

  // A second handle to queue_, or nullptr when the backend has none.
  std::unique_ptr<Queue> OpenAgain();

  std::unique_ptr<Queue> queue_;
};

// The instantiation's name for gtest: the factory's name.
std::string QueueFactoryName(const ::testing::TestParamInfo<QueueFactory>& info);

// The cases of the batch calls (CompleteAndTake, Release) are part of the
// suite but live in queue_batch_conformance.cc; this reference from every
// test that includes the suite keeps that file linked in.
int QueueBatchConformanceAnchor();
inline const int kQueueBatchConformanceAnchor = QueueBatchConformanceAnchor();

}  // namespace vigil::testing
