#include "common/status.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

Result<int> Half(int x) {
  if (x % 2) return Status::InvalidArgument(std::to_string(x) + " is odd");
  return x / 2;
}

Status Quarter(int x, int* out) {
  VIGIL_ASSIGN_OR_RETURN(int h, Half(x));
  VIGIL_ASSIGN_OR_RETURN(*out, Half(h));
  return Status::Ok();
}

TEST(StatusTest, ErrorsCarryCodeAndMessage) {
  Status s = Status::InvalidArgument("users.json: value[3].accountEnabled: expected boolean");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.ToString(),
            "invalid argument: users.json: value[3].accountEnabled: expected boolean");
  EXPECT_EQ(s.Prefixed("sync").message(),
            "sync: users.json: value[3].accountEnabled: expected boolean");
  EXPECT_EQ(Status::Ok().ToString(), "OK");
}

TEST(StatusTest, MacrosPropagate) {
  int q = 0;
  EXPECT_TRUE(Quarter(8, &q).ok());
  EXPECT_EQ(q, 2);
  Status s = Quarter(6, &q);
  EXPECT_EQ(s.message(), "3 is odd");
}

}  // namespace
}  // namespace vigil
