// Damaged Graph responses: every truncation and many random byte changes of
// real-shaped files must either parse or fail with an InvalidArgument that
// names the file — never crash, hang or fail another way. Run under ASan in
// `make test`.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <optional>
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

// The file a test damages: a kind's file, or (nullopt) a group's members
// file.
using DamagedFile = std::optional<EntityKind>;

std::string FileName(DamagedFile file) {
  return file ? std::string(KindFile(*file)) : "groupMembers/g.json";
}

// Parses `text` as `damaged`; returns "", "invalid" (an InvalidArgument
// naming the file) or any other failure as "code: message".
std::string ParseProblem(DamagedFile damaged, const std::string& text) {
  Snapshot snapshot;
  std::vector<std::string> members;
  const std::string file = FileName(damaged);
  const simdjson::padded_string body(text);
  Status s = damaged ? ParseKindFile(*damaged, file, body, &snapshot)
                     : ParseGroupMembers(file, body, &members);
  if (s.ok()) return "";
  if (s.code() != Code::kInvalidArgument || s.message().rfind(file + ": ", 0) != 0) {
    return s.ToString();
  }
  return "invalid";
}

class DamagedFilesTest : public ::testing::TestWithParam<DamagedFile> {
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
    Snapshot tenant = GenerateTenant(options);
    GroupRecord g{"g", "Break glass", true, {}};  // groupMembers/g.json
    for (size_t i = 0; i < 3; ++i) g.member_ids.push_back(tenant.users[i].id);
    std::sort(g.member_ids.begin(), g.member_ids.end());
    tenant.groups.push_back(g);
    ASSERT_TRUE(WriteGraphDirectory(tenant, *dir_).ok());
  }
  static void TearDownTestSuite() { delete dir_; }
  std::string Original() const { return ReadAll(*dir_ + "/" + FileName(GetParam())); }

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

INSTANTIATE_TEST_SUITE_P(
    AllFiles, DamagedFilesTest,
    ::testing::Values(DamagedFile(EntityKind::kUser), DamagedFile(EntityKind::kSku),
                      DamagedFile(EntityKind::kRegistration), DamagedFile(EntityKind::kRole),
                      DamagedFile(EntityKind::kPolicy), DamagedFile(EntityKind::kSetting),
                      DamagedFile(EntityKind::kGroup), DamagedFile()),
    [](const auto& info) {
      return info.param ? std::string(KindName(*info.param)) : std::string("groupMembers");
    });

}  // namespace
}  // namespace vigil
