#include "store/wal_checkpointer.h"

#include <chrono>

namespace vigil {

Status DisableAutoCheckpoint(Db* db) {
  return db->ExecScript("PRAGMA wal_autocheckpoint=0").Prefixed("disabling auto-checkpoint");
}

WalCheckpointer::WalCheckpointer(std::unique_ptr<Db> db, int64_t interval_ms)
    : db_(std::move(db)), interval_ms_(interval_ms) {}

WalCheckpointer::~WalCheckpointer() { Stop(); }

Status WalCheckpointer::CheckpointOnce() {
  Status s = db_->ExecScript("PRAGMA wal_checkpoint(PASSIVE)").Prefixed("WAL checkpoint");
  std::lock_guard<std::mutex> lock(mu_);
  last_error_ = s;
  return s;
}

void WalCheckpointer::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { Run(); });
}

void WalCheckpointer::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  (void)CheckpointOnce();
}

Status WalCheckpointer::last_error() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_error_;
}

void WalCheckpointer::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    wake_.wait_for(lock, std::chrono::milliseconds(interval_ms_), [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    (void)CheckpointOnce();
    lock.lock();
  }
}

}  // namespace vigil
