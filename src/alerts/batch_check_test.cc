#include "alerts/batch_check.h"

#include <gtest/gtest.h>

#include "alerts/alert_test_support.h"
#include "analysis/alert_types.h"

namespace vigil {
namespace {

using namespace alerts_test;  // NOLINT: test helpers

std::string Check(const Batch& batch) {
  Status s = CheckBatch(batch);
  return s.ok() ? std::string("OK") : s.message();
}

TEST(BatchCheckTest, AcceptsWellFormedBatches) {
  EXPECT_EQ(Check(Complete("mfa")), "OK");
  EXPECT_EQ(Check(Complete("mfa", {MakeFinding(std::string(kMfaUserNotRegistered), "u1"),
                                   MakeFinding(std::string(kMfaAdminNotRegistered), "u1"),
                                   MakeFinding(std::string(kMfaNotEnforced), "contoso")})),
            "OK");
}

TEST(BatchCheckTest, NamesTheFirstOffendingFinding) {
  EXPECT_EQ(Check(Complete("dns")), "unknown analysis type \"dns\"");
  EXPECT_EQ(Check(Complete("stale", {MakeFinding(std::string(kStaleUser), "u1"),
                                     MakeFinding("stale.robot", "u2")})),
            "finding 1 (\"stale.robot\"): unknown alert type \"stale.robot\"");
  EXPECT_EQ(Check(Complete("stale", {MakeFinding(std::string(kPrivilegeGuestAdmin), "u1")})),
            "finding 0 (\"privilege.guest_admin\"): alert type \"privilege.guest_admin\" belongs "
            "to analysis type \"privilege\", not \"stale\"");
  EXPECT_EQ(Check(Complete("stale", {MakeFinding(std::string(kStaleUser), "")})),
            "finding 0 (\"stale.user\"): empty subject");
  EXPECT_EQ(
      Check(Complete("stale", {MakeFinding(std::string(kStaleUser), "u1", Severity::kLow, "[1]")})),
      "finding 0 (\"stale.user\"): details are not a JSON object");
  EXPECT_EQ(Check(Complete("stale", {MakeFinding(std::string(kStaleUser), "u1"),
                                     MakeFinding(std::string(kStaleGuest), "u1"),
                                     MakeFinding(std::string(kStaleUser), "u1")})),
            "finding 2 (\"stale.user\"): subject \"u1\" repeats finding 0");
  // In a sorted batch (as analyzers give them) the repeat is the finding before.
  EXPECT_EQ(Check(Complete("stale", {MakeFinding(std::string(kStaleGuest), "u1"),
                                     MakeFinding(std::string(kStaleUser), "u1"),
                                     MakeFinding(std::string(kStaleUser), "u1"),
                                     MakeFinding(std::string(kStaleUser), "u2")})),
            "finding 2 (\"stale.user\"): subject \"u1\" repeats finding 1");
  // Unsorted after a sorted start: repeats of findings before the break count.
  EXPECT_EQ(Check(Complete("stale", {MakeFinding(std::string(kStaleUser), "u1"),
                                     MakeFinding(std::string(kStaleUser), "u3"),
                                     MakeFinding(std::string(kStaleUser), "u2"),
                                     MakeFinding(std::string(kStaleUser), "u1")})),
            "finding 3 (\"stale.user\"): subject \"u1\" repeats finding 0");
}

TEST(BatchCheckTest, DigestIgnoresOrderButNotContent) {
  Finding a = MakeFinding(std::string(kLicenseUnused), "sku1");
  Finding b = MakeFinding(std::string(kLicenseOverassigned), "sku2");
  const std::string ab = BatchDigest(Complete("license", {a, b}));
  EXPECT_EQ(ab.size(), 16u);
  EXPECT_EQ(BatchDigest(Complete("license", {b, a})), ab);
  b.severity = Severity::kHigh;
  EXPECT_NE(BatchDigest(Complete("license", {a, b})), ab);
  EXPECT_NE(BatchDigest(Complete("license")),
            BatchDigest(NotComplete("license", BatchStatus::kFailed, "x")));
}

}  // namespace
}  // namespace vigil
