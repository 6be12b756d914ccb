// Status and Result<T>: how errors cross module boundaries in vigil.
//
// A Status is either OK or carries a Code and a message that names what failed
// and where (for example "users.json: value[3].accountEnabled: expected boolean").
// Result<T> holds a T or a non-OK Status. Both are [[nodiscard]]; nothing in
// vigil throws across a module boundary.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace vigil {

enum class Code {
  kOk = 0,
  kInvalidArgument,  // the caller's input is wrong (bad file, bad flag, bad JSON)
  kNotFound,         // a named thing does not exist
  kAlreadyExists,
  kFailedPrecondition,  // refused on purpose (deletion guard, stale batch, ...)
  kUnavailable,         // a service or a piece of data cannot be reached now
  kIoError,             // the file system or database failed
  kInternal,            // a bug: an invariant of our own does not hold
  kPermissionDenied,    // a service refused for lack of a permission or credential
};

std::string_view CodeName(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {Code::kAlreadyExists, std::move(m)}; }
  static Status FailedPrecondition(std::string m) {
    return {Code::kFailedPrecondition, std::move(m)};
  }
  static Status Unavailable(std::string m) { return {Code::kUnavailable, std::move(m)}; }
  static Status IoError(std::string m) { return {Code::kIoError, std::move(m)}; }
  static Status Internal(std::string m) { return {Code::kInternal, std::move(m)}; }
  static Status PermissionDenied(std::string m) {
    return {Code::kPermissionDenied, std::move(m)};
  }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // "invalid argument: users.json: ..." (or "OK").
  std::string ToString() const;

  // Returns a copy whose message is "<prefix>: <message>".
  Status Prefixed(std::string_view prefix) const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    if (status_.ok()) status_ = Status::Internal("Result constructed from an OK status");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace vigil

#define VIGIL_CONCAT_INNER(a, b) a##b
#define VIGIL_CONCAT(a, b) VIGIL_CONCAT_INNER(a, b)

// Returns the Status of `expr` from the enclosing function when it is not OK.
#define VIGIL_RETURN_IF_ERROR(expr)                \
  do {                                             \
    ::vigil::Status vigil_status_ = (expr);        \
    if (!vigil_status_.ok()) return vigil_status_; \
  } while (false)

// `lhs` = value of the Result `expr`, or return its Status.
#define VIGIL_ASSIGN_OR_RETURN(lhs, expr) \
  VIGIL_ASSIGN_OR_RETURN_IMPL(VIGIL_CONCAT(vigil_result_, __LINE__), lhs, expr)
#define VIGIL_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return tmp.status();               \
  lhs = std::move(tmp).value()
