#include "store/sqlite_write_gate.h"

#include <chrono>
#include <map>

namespace vigil {

std::shared_ptr<SqliteWriteGate> SqliteWriteGate::Find(const std::string& absolute_path) {
  static std::mutex registry_mu;
  static auto* registry = new std::map<std::string, std::weak_ptr<SqliteWriteGate>>();
  std::lock_guard<std::mutex> lock(registry_mu);
  for (auto it = registry->begin(); it != registry->end();) {
    it = it->second.expired() ? registry->erase(it) : std::next(it);
  }
  std::weak_ptr<SqliteWriteGate>& slot = (*registry)[absolute_path];
  std::shared_ptr<SqliteWriteGate> gate = slot.lock();
  if (gate == nullptr) {
    gate = std::make_shared<SqliteWriteGate>();
    slot = gate;
  }
  return gate;
}

bool SqliteWriteGate::Acquire(int timeout_ms) {
  std::unique_lock<std::mutex> lock(mu_);
  if (!released_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [this] { return !held_; })) {
    return false;
  }
  held_ = true;
  return true;
}

void SqliteWriteGate::Release() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    held_ = false;
  }
  released_.notify_one();
}

}  // namespace vigil
