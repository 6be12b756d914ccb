#include "testing/recording_db.h"

namespace vigil::testing {

class RecordingStatement final : public Statement {
 public:
  RecordingStatement(std::unique_ptr<Statement> target, std::string sql, RecordingDb* db)
      : target_(std::move(target)), sql_(std::move(sql)), db_(db) {}

  void BindNull(int index) override {
    Slot(index) = std::monostate{};
    target_->BindNull(index);
  }
  void BindInt(int index, int64_t value) override {
    Slot(index) = value;
    target_->BindInt(index, value);
  }
  void BindText(int index, std::string_view value) override {
    Slot(index) = std::string(value);
    target_->BindText(index, value);
  }
  Result<bool> Step() override {
    if (!running_) Record();
    running_ = true;
    Result<bool> row = target_->Step();
    if (!row.ok() || !*row) running_ = false;
    return row;
  }
  Status Execute() override {
    Record();
    running_ = false;
    return target_->Execute();
  }
  void Reset() override {
    running_ = false;
    params_.clear();
    target_->Reset();
  }
  bool IsNull(int column) const override { return target_->IsNull(column); }
  int64_t Int(int column) const override { return target_->Int(column); }
  std::string_view Text(int column) const override { return target_->Text(column); }
  int64_t Changes() const override { return target_->Changes(); }

 private:
  DbValue& Slot(int index) {
    running_ = false;
    if (static_cast<int>(params_.size()) < index) params_.resize(index);
    return params_[index - 1];
  }
  void Record() { db_->recorded_.push_back({sql_, params_}); }

  std::unique_ptr<Statement> target_;
  std::string sql_;
  RecordingDb* db_;
  std::vector<DbValue> params_;
  bool running_ = false;
};

Result<std::unique_ptr<Statement>> RecordingDb::Prepare(std::string_view sql) {
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Statement> target, target_->Prepare(sql));
  return std::unique_ptr<Statement>(
      new RecordingStatement(std::move(target), std::string(sql), this));
}

}  // namespace vigil::testing
