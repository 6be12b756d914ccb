#include "common/status.h"

namespace vigil {

std::string_view CodeName(Code code) {
  switch (code) {
    case Code::kOk:
      return "OK";
    case Code::kInvalidArgument:
      return "invalid argument";
    case Code::kNotFound:
      return "not found";
    case Code::kAlreadyExists:
      return "already exists";
    case Code::kFailedPrecondition:
      return "refused";
    case Code::kUnavailable:
      return "unavailable";
    case Code::kIoError:
      return "I/O error";
    case Code::kInternal:
      return "internal error";
    case Code::kPermissionDenied:
      return "permission denied";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  return std::string(CodeName(code_)) + ": " + message_;
}

Status Status::Prefixed(std::string_view prefix) const {
  if (ok()) return *this;
  return Status(code_, std::string(prefix) + ": " + message_);
}

}  // namespace vigil
