// SqliteWriteGate: one mutex per database file for the write transactions
// of every connection to it in this process.
//
// SQLite lets one connection write at a time. A connection that finds the
// write lock taken waits in its busy handler, which sleeps and retries with
// growing pauses (up to 100 ms); whoever retries at the right moment wins,
// so under many writers one transaction can wait many pauses after the lock
// was free. The service's workers and its notifier write to one file from
// one process: taking this gate before BEGIN IMMEDIATE makes them wait on a
// mutex instead, woken the moment the previous writer commits. Connections
// of other processes are not gated and still meet the busy handler.
//
// Thread safety: every method may be called from any thread; a gate may be
// released by another thread than the one that took it (a connection may
// move between threads inside a transaction).
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>

namespace vigil {

class SqliteWriteGate {
 public:
  // The gate of the database at `absolute_path`, shared by every caller that
  // names the same path while one of them holds it.
  static std::shared_ptr<SqliteWriteGate> Find(const std::string& absolute_path);

  // Takes the gate, waiting up to `timeout_ms` for its holder to release
  // it. False when the wait timed out (the gate is not taken).
  bool Acquire(int timeout_ms);
  // Releases a gate taken by Acquire.
  void Release();

 private:
  std::mutex mu_;
  std::condition_variable released_;
  bool held_ = false;
};

}  // namespace vigil
