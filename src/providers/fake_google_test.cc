// The google_workspace provider against FakeGoogleServer over loopback: the
// signed token exchange, paging, throttling, missing scopes and failures as
// a user sees them.
#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>

#include "providers/google_workspace_provider.h"
#include "testing/fake_google.h"
#include "testing/rsa_test_key.h"

namespace vigil {
namespace {

using testing::FakeGoogleFault;
using testing::FakeGoogleServer;

constexpr char kEmail[] = "sync@vigil-test.iam.gserviceaccount.com";
constexpr char kAdmin[] = "admin@example.com";
constexpr char kUsers[] = "/admin/directory/v1/users";
constexpr char kRoles[] = "/admin/directory/v1/customer/my_customer/roles";
constexpr char kAssignments[] = "/admin/directory/v1/customer/my_customer/roleassignments";
constexpr char kLicenses[] = "/apps/licensing/v1/product/Google-Apps/users";

const testing::RsaTestKey& Key() {
  static const testing::RsaTestKey* key = new testing::RsaTestKey(testing::NewRsaTestKey());
  return *key;
}

std::string User(int i, bool enrolled) {
  return "{\"id\":\"u" + std::to_string(i) + "\",\"primaryEmail\":\"user" + std::to_string(i) +
         "@example.com\",\"name\":{\"fullName\":\"User " + std::to_string(i) +
         "\"},\"isEnrolledIn2Sv\":" + (enrolled ? "true" : "false") +
         ",\"isEnforcedIn2Sv\":false,\"suspended\":false,\"creationTime\":\"2024-01-02T03:04:05.000Z\","
         "\"lastLoginTime\":\"1970-01-01T00:00:00.000Z\"}";
}

class FakeGoogleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    google_ = FakeGoogleServer::Start();
    ASSERT_NE(google_, nullptr);
    google_->SetServiceAccount(kEmail, "kid-1", Key().public_pem);
    google_->AllowAdmin(kAdmin);
    std::vector<std::string> users;
    for (int i = 0; i < 7; ++i) users.push_back(User(i, i % 2 == 0));
    google_->SetUsers(users);
    google_->SetRoles({R"({"roleId":"91","roleName":"_SEED_ADMIN_ROLE","isSuperAdminRole":true})",
                       R"({"roleId":"92","roleName":"Help Desk Admin"})"});
    google_->SetRoleAssignments(
        {R"({"roleAssignmentId":"ra1","roleId":"91","assignedTo":"u0","assigneeType":"user"})"});
    google_->SetLicenses(
        "Google-Apps",
        {R"({"productId":"Google-Apps","skuId":"1010020020","skuName":"Google Workspace Enterprise Plus","userId":"user1@example.com"})",
         R"({"productId":"Google-Apps","skuId":"1010020020","skuName":"Google Workspace Enterprise Plus","userId":"USER2@example.com"})"});
  }

  GoogleWorkspaceOptions Options(const std::string& admin = kAdmin) {
    GoogleWorkspaceOptions options;
    Result<ServiceAccountKey> key = ParseServiceAccountKey(
        "key.json",
        testing::ServiceAccountKeyJson(Key(), kEmail, "kid-1", google_->token_url()));
    EXPECT_TRUE(key.ok()) << key.status().ToString();
    options.credentials = {key.ok() ? *key : ServiceAccountKey{}, admin};
    options.google.api_url = google_->url();
    options.google.licensing_url = google_->url();
    options.google.max_attempts = 3;
    options.google.sleep = [this](int64_t ms) {
      std::lock_guard<std::mutex> lock(mu_);
      sleeps_.push_back(ms);
    };
    options.users_page_size = 3;
    return options;
  }

  Result<Snapshot> Fetch(GoogleWorkspaceOptions options) {
    auto provider = NewGoogleWorkspaceProvider(std::move(options));
    if (!provider.ok()) return provider.status();
    return (*provider)->Fetch();
  }

  std::unique_ptr<FakeGoogleServer> google_;
  std::mutex mu_;
  std::vector<int64_t> sleeps_;
};

TEST_F(FakeGoogleTest, SyncsEveryPageWithASignedAssertion) {
  Result<Snapshot> snapshot = Fetch(Options());
  ASSERT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  EXPECT_TRUE(google_->TokenRefusals().empty());
  EXPECT_EQ(google_->TokenRequests(), 1);
  EXPECT_EQ(google_->Requests(kUsers), 3);  // 7 users, 3 a page

  ASSERT_EQ(snapshot->users.size(), 7u);
  EXPECT_EQ(snapshot->users[6].upn, "user6@example.com");
  ASSERT_EQ(snapshot->registrations.size(), 7u);
  EXPECT_TRUE(snapshot->registrations[0].mfa_registered);
  EXPECT_FALSE(snapshot->registrations[1].mfa_registered);
  EXPECT_EQ(snapshot->registrations[1].mfa_enforced, false);
  EXPECT_EQ(snapshot->users[1].sku_ids, std::vector<std::string>{"1010020020"});
  EXPECT_EQ(snapshot->users[2].sku_ids, std::vector<std::string>{"1010020020"});
  EXPECT_TRUE(snapshot->users[3].sku_ids.empty());
  ASSERT_EQ(snapshot->skus.size(), 1u);
  EXPECT_EQ(snapshot->skus[0].consumed_units, 2);
  ASSERT_EQ(snapshot->roles.size(), 2u);
  ASSERT_EQ(snapshot->role_assignments.size(), 1u);
  EXPECT_EQ(snapshot->role_assignments[0].principal_id, "u0");

  for (EntityKind kind : {EntityKind::kUser, EntityKind::kRegistration, EntityKind::kSignIn,
                          EntityKind::kRole, EntityKind::kSku}) {
    EXPECT_TRUE(snapshot->Has(kind)) << KindName(kind);
  }
  EXPECT_EQ(snapshot->availability[EntityKind::kPolicy].reason,
            "Google Workspace has no conditional access policies");
  EXPECT_EQ(snapshot->availability[EntityKind::kSetting].reason,
            "Google Workspace has no security defaults");
  EXPECT_EQ(snapshot->availability[EntityKind::kGroup].reason,
            "Google Workspace has no groups synced");

  const std::vector<std::string> log = google_->Log();
  EXPECT_NE(std::find(log.begin(), log.end(),
                      "GET /admin/directory/v1/users?customer=my_customer&maxResults=3&pageToken=p3&"
                      "projection=full"),
            log.end());
  EXPECT_NE(std::find(log.begin(), log.end(),
                      "GET /apps/licensing/v1/product/Google-Apps/users?customerId=example.com&"
                      "maxResults=1000"),
            log.end());
}

TEST_F(FakeGoogleTest, AnotherKeysSignatureIsRefused) {
  google_->SetServiceAccount(kEmail, "kid-1", testing::NewRsaTestKey().public_pem);
  Result<Snapshot> snapshot = Fetch(Options());
  ASSERT_FALSE(snapshot.ok());
  EXPECT_EQ(snapshot.status().code(), Code::kPermissionDenied);
  EXPECT_EQ(snapshot.status().message(),
            "service account sync@vigil-test.iam.gserviceaccount.com as admin@example.com: cannot "
            "get an access token: HTTP 400 invalid_grant: Invalid JWT Signature.");
  EXPECT_EQ(snapshot.status().message().find("PRIVATE"), std::string::npos);
  EXPECT_EQ(google_->Requests(kUsers), 0);
}

TEST_F(FakeGoogleTest, AnAdminWithoutDelegationSaysWhatToGrant) {
  Result<Snapshot> snapshot = Fetch(Options("someone@example.com"));
  ASSERT_FALSE(snapshot.ok());
  EXPECT_EQ(snapshot.status().code(), Code::kPermissionDenied);
  EXPECT_EQ(
      snapshot.status().message(),
      "service account sync@vigil-test.iam.gserviceaccount.com as someone@example.com: cannot get "
      "an access token: HTTP 401 unauthorized_client: Client is unauthorized to retrieve access "
      "tokens using this method, or client not authorized for any of the scopes requested.: "
      "domain-wide delegation is not granted: authorize client id 109876543210 for the scopes "
      "https://www.googleapis.com/auth/admin.directory.user.readonly "
      "https://www.googleapis.com/auth/admin.directory.rolemanagement.readonly "
      "https://www.googleapis.com/auth/apps.licensing in the Admin console (Security, API "
      "controls, Domain-wide delegation)");
}

TEST_F(FakeGoogleTest, ARateLimit403IsRetriedWithRetryAfter) {
  FakeGoogleFault limit;
  limit.status = 403;
  limit.body = testing::GoogleRateLimitBody("userRateLimitExceeded");
  limit.retry_after_s = 7;
  google_->InjectFault(kUsers, limit);
  FakeGoogleFault quota;
  quota.status = 403;
  quota.body = testing::GoogleRateLimitBody("quotaExceeded");
  google_->InjectFault(kRoles, quota);
  Result<Snapshot> snapshot = Fetch(Options());
  ASSERT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  EXPECT_EQ(snapshot->users.size(), 7u);
  EXPECT_TRUE(snapshot->Has(EntityKind::kRole));
  EXPECT_EQ(google_->Requests(kUsers), 4);
  EXPECT_EQ(google_->Requests(kRoles), 2);
  std::lock_guard<std::mutex> lock(mu_);
  ASSERT_EQ(sleeps_.size(), 2u);
  EXPECT_NE(std::find(sleeps_.begin(), sleeps_.end(), 7000), sleeps_.end());
}

TEST_F(FakeGoogleTest, AMissingScopeLeavesThatKindOutAndSyncsTheRest) {
  google_->Deny(kAssignments);
  google_->Deny(kLicenses);
  Result<Snapshot> snapshot = Fetch(Options());
  ASSERT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  EXPECT_EQ(snapshot->availability[EntityKind::kRole].available, false);
  EXPECT_EQ(snapshot->availability[EntityKind::kRole].reason,
            "roleAssignments: permission missing: 403 forbidden: Not Authorized to access this "
            "resource/api: needs scope "
            "https://www.googleapis.com/auth/admin.directory.rolemanagement.readonly");
  EXPECT_EQ(snapshot->availability[EntityKind::kSku].reason,
            "licenseAssignments/Google-Apps: permission missing: 403 forbidden: Not Authorized to "
            "access this resource/api: needs scope https://www.googleapis.com/auth/apps.licensing");
  EXPECT_TRUE(snapshot->roles.empty());
  EXPECT_TRUE(snapshot->skus.empty());
  EXPECT_TRUE(snapshot->Has(EntityKind::kUser));
  EXPECT_EQ(snapshot->users.size(), 7u);
  EXPECT_EQ(google_->Requests(kAssignments), 1);  // not retried

  google_->Deny(kUsers);
  snapshot = Fetch(Options());
  ASSERT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  for (EntityKind kind : {EntityKind::kUser, EntityKind::kRegistration, EntityKind::kSignIn}) {
    EXPECT_EQ(snapshot->availability[kind].reason,
              "users: permission missing: 403 forbidden: Not Authorized to access this "
              "resource/api: needs scope "
              "https://www.googleapis.com/auth/admin.directory.user.readonly");
  }
  EXPECT_TRUE(snapshot->users.empty());
}

TEST_F(FakeGoogleTest, AServerErrorIsRetriedThenFailsTheFetch) {
  FakeGoogleFault outage;
  outage.status = 503;
  google_->InjectFault(kUsers, outage);
  Result<Snapshot> snapshot = Fetch(Options());
  ASSERT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  EXPECT_EQ(snapshot->users.size(), 7u);

  google_->InjectFault(kRoles, outage, 3);
  snapshot = Fetch(Options());
  ASSERT_FALSE(snapshot.ok());
  EXPECT_EQ(snapshot.status().code(), Code::kUnavailable);
  EXPECT_EQ(snapshot.status().message(),
            "GET /admin/directory/v1/customer/my_customer/roles: HTTP 503 after 3 attempts: "
            "backendError: Backend Error");
}

TEST_F(FakeGoogleTest, DamagedAnswersFailTheFetchNamingThePage) {
  FakeGoogleFault bad;
  bad.status = 200;
  bad.body = R"({"users":[{"id":"u1","primaryEmail":"a@example.com","suspended":"no"}]})";
  google_->InjectFault(kUsers, bad);
  Result<Snapshot> snapshot = Fetch(Options());
  ASSERT_FALSE(snapshot.ok());
  EXPECT_EQ(snapshot.status().message(),
            "GET /admin/directory/v1/users page 1: users[0].suspended: expected boolean");

  FakeGoogleFault loop;
  loop.status = 200;
  loop.body = R"({"items":[],"nextPageToken":"again"})";
  google_->InjectFault(kRoles, loop, 2);
  snapshot = Fetch(Options());
  ASSERT_FALSE(snapshot.ok());
  EXPECT_EQ(snapshot.status().message(),
            "GET /admin/directory/v1/customer/my_customer/roles page 2: nextPageToken repeats an "
            "earlier page (a paging loop)");
}

TEST_F(FakeGoogleTest, AnExpiredTokenIsRenewedOnce) {
  auto provider = NewGoogleWorkspaceProvider(Options());
  ASSERT_TRUE(provider.ok());
  ASSERT_TRUE((*provider)->Fetch().ok());
  FakeGoogleFault expired;
  expired.status = 401;
  google_->InjectFault(kUsers, expired);
  Result<Snapshot> snapshot = (*provider)->Fetch();
  ASSERT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  EXPECT_EQ(google_->TokenRequests(), 2);
}

}  // namespace
}  // namespace vigil
