// Damaged Graph responses: every truncation and many random byte changes of
// real-shaped files must either parse or fail with an InvalidArgument that
// names the file — never crash, hang or fail another way. Run under ASan in
// `make test`.
#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <random>
#include <sstream>

#include "providers/graph_parse.h"
#include "providers/graph_writer.h"
#include "providers/synthetic.h"
#include "testing/fixtures.h"

namespace vigil {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Parses `text` as `kind`'s file; returns "" or the failure as "code: message".
std::string ParseProblem(EntityKind kind, const std::string& text) {
  Snapshot snapshot;
  const std::string file(KindFile(kind));
  Status s = ParseKindFile(kind, file, simdjson::padded_string(text), &snapshot);
  if (s.ok()) return "";
  if (s.code() != Code::kInvalidArgument || s.message().rfind(file + ": ", 0) != 0) {
    return s.ToString();
  }
  return "invalid";
}

class DamagedFilesTest : public ::testing::TestWithParam<EntityKind> {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(testing::NewTempDir());
    SyntheticOptions options;
    options.users = 6;
    options.skus = 2;
    options.groups = 2;
    options.ca_mode = SyntheticOptions::kEnabled;
    options.legacy_auth_blocked = true;
    options.security_defaults = true;
    ASSERT_TRUE(WriteGraphDirectory(GenerateTenant(options), *dir_).ok());
  }
  static void TearDownTestSuite() { delete dir_; }
  std::string Original() const { return ReadAll(*dir_ + "/" + std::string(KindFile(GetParam()))); }

  static std::string* dir_;
};

std::string* DamagedFilesTest::dir_ = nullptr;

TEST_P(DamagedFilesTest, EveryTruncationFailsCleanly) {
  std::string original = Original();
  while (!original.empty() && std::isspace(static_cast<unsigned char>(original.back()))) {
    original.pop_back();
  }
  ASSERT_GT(original.size(), 100u);
  ASSERT_EQ(ParseProblem(GetParam(), original), "");
  int failures = 0;
  for (size_t len = 0; len < original.size(); ++len) {
    std::string problem = ParseProblem(GetParam(), original.substr(0, len));
    ASSERT_TRUE(problem == "invalid" || problem.empty()) << "prefix of " << len << ": " << problem;
    failures += problem == "invalid";
  }
  EXPECT_EQ(failures, static_cast<int>(original.size()));  // no prefix is a whole document
}

TEST_P(DamagedFilesTest, RandomByteChangesFailCleanlyOrParse) {
  const std::string original = Original();
  std::mt19937 rng(1234);
  int failures = 0;
  const std::string alphabet = "{}[]\":,0123456789truefalsnul \\x";
  for (int round = 0; round < 2000; ++round) {
    std::string damaged = original;
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits; ++e) {
      damaged[rng() % damaged.size()] = alphabet[rng() % alphabet.size()];
    }
    std::string problem = ParseProblem(GetParam(), damaged);
    ASSERT_TRUE(problem == "invalid" || problem.empty()) << "round " << round << ": " << problem;
    failures += problem == "invalid";
  }
  EXPECT_GT(failures, 100) << "the damage should break most documents";
}

INSTANTIATE_TEST_SUITE_P(AllFiles, DamagedFilesTest,
                         ::testing::Values(EntityKind::kUser, EntityKind::kSku,
                                           EntityKind::kRegistration, EntityKind::kRole,
                                           EntityKind::kPolicy, EntityKind::kSetting,
                                           EntityKind::kGroup),
                         [](const auto& info) { return std::string(KindName(info.param)); });

}  // namespace
}  // namespace vigil
