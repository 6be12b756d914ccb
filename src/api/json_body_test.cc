#include "api/json_body.h"

#include <gtest/gtest.h>

#include <string>

namespace vigil {
namespace {

std::string Message(const std::optional<ApiResponse>& r) {
  if (!r) return "(accepted)";
  return nlohmann::json::parse(r->body)["error"]["message"].get<std::string>();
}

TEST(JsonBodyTest, ANumberBeyondADoubleIsInvalidJsonAtItsFirstByte) {
  nlohmann::json value;
  std::optional<ApiResponse> r = ParseJsonBody("{\"x\": 1e400}", 32, &value);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(nlohmann::json::parse(r->body)["error"]["code"], "invalid_json");
  EXPECT_EQ(Message(r), "request body: the number at byte 7 (1e400) is too large");
  EXPECT_EQ(Message(ParseJsonBody("[1, 2, -1e400]", 32, &value, false)),
            "request body: the number at byte 8 (-1e400) is too large");
  EXPECT_EQ(Message(ParseJsonBody("[" + std::string(400, '9') + "]", 32, &value, false)),
            "request body: the number at byte 2 (" + std::string(20, '9') +
                "..., 400 characters) is too large");
}

TEST(JsonBodyTest, LargeNumbersThatFitAreAccepted) {
  nlohmann::json value;
  EXPECT_FALSE(ParseJsonBody("{\"x\": 1e300, \"y\": " + std::string(300, '9') + "}", 32, &value)
                   .has_value());
  EXPECT_TRUE(value["x"].is_number_float());
  EXPECT_FALSE(ParseJsonBody("{\"x\": 1e-400}", 32, &value).has_value());  // underflows to 0
}

TEST(JsonBodyTest, SyntaxErrorsStillNameTheirByte) {
  nlohmann::json value;
  EXPECT_EQ(Message(ParseJsonBody("{\"a\": tru}", 32, &value)),
            "request body: not valid JSON at byte 10");
}

}  // namespace
}  // namespace vigil
