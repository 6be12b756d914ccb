// RecordingDb (tests only): a Db that passes everything to another Db and
// records every statement it runs with the values bound, so a test can look
// at what a component asked the database (e.g. EXPLAIN each query).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "store/db.h"

namespace vigil::testing {

struct RecordedStatement {
  std::string sql;  // as the component wrote it, with `?` placeholders
  std::vector<DbValue> params;
};

class RecordingDb final : public Db {
 public:
  explicit RecordingDb(Db* target) : target_(target) {}

  const std::vector<RecordedStatement>& recorded() const { return recorded_; }

  std::string_view dialect() const override { return target_->dialect(); }
  Result<std::unique_ptr<Statement>> Prepare(std::string_view sql) override;
  Status ExecScript(std::string_view sql) override { return target_->ExecScript(sql); }
  Status Begin() override { return target_->Begin(); }
  Status BeginSnapshot() override { return target_->BeginSnapshot(); }
  Status Commit() override { return target_->Commit(); }
  Status Rollback() override { return target_->Rollback(); }
  bool InTransaction() const override { return target_->InTransaction(); }
  int64_t LastInsertId() const override { return target_->LastInsertId(); }
  uint64_t statements_executed() const override { return target_->statements_executed(); }
  Result<bool> TryLock(int64_t key) override { return target_->TryLock(key); }
  Status Unlock(int64_t key) override { return target_->Unlock(key); }

 private:
  friend class RecordingStatement;
  Db* target_;
  std::vector<RecordedStatement> recorded_;
};

}  // namespace vigil::testing
