// End-to-end tests of the microsoft365 provider: libcurl against the fake
// Graph (testing/fake_graph.h) serving a generated tenant.
#include "providers/microsoft365_provider.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "providers/microsoft365_provider_fixture.h"

namespace vigil {
namespace {

using namespace m365_testing;  // NOLINT: the fixture and its constants
using testing::FakeGraph;
using testing::FakeGraphFault;

TEST_F(Microsoft365ProviderTest, FullSyncGivesTheSnapshotOfTheDirectoryProvider) {
  Result<Snapshot> live = Fetch();
  ASSERT_TRUE(live.ok()) << live.status().ToString();
  EXPECT_EQ(Diff(*live, FromDirectory()), "");
  EXPECT_EQ(live->users.size(), 1234u);
  EXPECT_TRUE(live->Has(EntityKind::kSignIn));
  EXPECT_EQ(live->availability.size(), std::size(kAllKinds));

  // A delta link for "now" first, then the users in pages of 500.
  const std::vector<std::string> log = graph_->Log();
  std::vector<std::string> users_log;
  for (const std::string& line : log) {
    if (line.rfind("GET /v1.0/users", 0) == 0) users_log.push_back(line);
  }
  ASSERT_EQ(users_log.size(), 4u);
  EXPECT_EQ(users_log[0],
            std::string("GET /v1.0/users/delta?") + kUsersSelect + "&$deltatoken=latest");
  EXPECT_EQ(users_log[1],
            std::string("GET /v1.0/users?") + kUsersSelect + ",signInActivity&$top=500");
  EXPECT_EQ(LogCount("GET /v1.0/groups?$select=id,displayName,securityEnabled&$top=999"), 1);
  EXPECT_EQ(LogCount("GET /v1.0/reports/authenticationMethods/userRegistrationDetails?$top=999"),
            2);  // 1234 rows
  EXPECT_EQ(LogCount("GET /v1.0/roleManagement/directory/roleAssignments?$expand=principal"), 1);
  EXPECT_EQ(graph_->TokenRequests(), 1);

  const nlohmann::json cursor = Cursor(*live);
  EXPECT_EQ(cursor["full_at"], kStart);
  EXPECT_EQ(cursor["delta_link"].get<std::string>().rfind(graph_->graph_url() + "/users/delta?", 0),
            0u);
  EXPECT_FALSE(cursor.contains("sign_in_unavailable"));
}

TEST_F(Microsoft365ProviderTest, ForbiddenEndpointsAreNotAvailableAndTheRestSyncs) {
  graph_->Deny(kTenant, "/v1.0/reports/authenticationMethods/userRegistrationDetails",
               "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");
  graph_->Deny(kTenant, "/v1.0/identity/conditionalAccess/policies", "AccessDenied",
               "You cannot perform the requested operation, required scopes are missing.");
  Result<Snapshot> live = Fetch();
  ASSERT_TRUE(live.ok()) << live.status().ToString();
  const Availability& registrations = live->availability.at(EntityKind::kRegistration);
  EXPECT_FALSE(registrations.available);
  EXPECT_EQ(registrations.reason,
            "userRegistrationDetails: permission missing: 403 Authorization_RequestDenied: "
            "Insufficient privileges to complete the operation.");
  EXPECT_EQ(live->availability.at(EntityKind::kPolicy).reason,
            "conditionalAccessPolicies: permission missing: 403 AccessDenied: You cannot "
            "perform the requested operation, required scopes are missing.");
  EXPECT_TRUE(live->registrations.empty());
  EXPECT_TRUE(live->policies.empty());

  Snapshot expected = FromDirectory();
  expected.registrations.clear();
  expected.policies.clear();
  expected.availability[EntityKind::kRegistration] = registrations;
  expected.availability[EntityKind::kPolicy] = live->availability.at(EntityKind::kPolicy);
  EXPECT_EQ(Diff(*live, expected), "");
}

TEST_F(Microsoft365ProviderTest, TenantWithoutSignInActivityGetsUsersWithoutSignIns) {
  graph_->DenySignInActivity(kTenant);
  Result<Snapshot> live = Fetch();
  ASSERT_TRUE(live.ok()) << live.status().ToString();
  EXPECT_TRUE(live->Has(EntityKind::kUser));
  const std::string reason =
      "signInActivity: permission missing: 403 "
      "Authentication_RequestFromNonPremiumTenantOrB2CTenant: Neither tenant is B2C or tenant "
      "doesn't have premium license";
  EXPECT_EQ(live->availability.at(EntityKind::kSignIn).reason, reason);
  EXPECT_FALSE(live->availability.at(EntityKind::kSignIn).available);

  Snapshot expected = FromDirectory();
  for (UserRecord& user : expected.users) {
    user.last_sign_in.reset();
    user.last_successful_sign_in.reset();
  }
  expected.availability[EntityKind::kSignIn] = {false, reason};
  EXPECT_EQ(Diff(*live, expected), "");
  EXPECT_EQ(LogCount(std::string("GET /v1.0/users?") + kUsersSelect + ",signInActivity"), 1);
  EXPECT_EQ(LogCount(std::string("GET /v1.0/users?") + kUsersSelect + "&$top=500"), 3);  // pages
  EXPECT_EQ(Cursor(*live)["sign_in_unavailable"], reason);

  // The next (incremental) sync remembers that sign-ins are not available.
  Microsoft365Options options = Options();
  options.cursor = live->cursor;
  options.stored_users = [&]() -> Result<std::vector<UserRecord>> { return live->users; };
  Result<Snapshot> next = Fetch(options);
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(next->availability.at(EntityKind::kSignIn).reason, reason);
  EXPECT_TRUE(next->Has(EntityKind::kUser));
}

TEST_F(Microsoft365ProviderTest, UsersForbiddenMakesUsersAndSignInsNotAvailable) {
  graph_->Deny(kTenant, kUsersPath, "Authorization_RequestDenied",
               "Insufficient privileges to complete the operation.");
  Result<Snapshot> live = Fetch();
  ASSERT_TRUE(live.ok()) << live.status().ToString();
  EXPECT_FALSE(live->Has(EntityKind::kUser));
  EXPECT_FALSE(live->Has(EntityKind::kSignIn));
  EXPECT_EQ(live->availability.at(EntityKind::kUser).reason,
            "users: permission missing: 403 Authorization_RequestDenied: Insufficient "
            "privileges to complete the operation.");
  EXPECT_TRUE(live->users.empty());
  EXPECT_TRUE(live->Has(EntityKind::kSku));
  EXPECT_EQ(Cursor(*live)["delta_link"], "");
}

TEST_F(Microsoft365ProviderTest, MissingGroupsAreNotAvailableButOtherMissingEndpointsFail) {
  std::filesystem::remove(std::filesystem::path(dir_) / "groups.json");
  ASSERT_TRUE(graph_->LoadDirectory(kTenant, dir_).ok());
  Result<Snapshot> live = Fetch();
  ASSERT_TRUE(live.ok()) << live.status().ToString();
  const Availability& groups = live->availability.at(EntityKind::kGroup);
  EXPECT_FALSE(groups.available);
  EXPECT_EQ(groups.reason.rfind("groups: not found: 404 Request_ResourceNotFound: ", 0), 0u)
      << groups.reason;

  std::filesystem::remove(std::filesystem::path(dir_) / "subscribedSkus.json");
  ASSERT_TRUE(graph_->LoadDirectory(kTenant, dir_).ok());
  live = Fetch();
  ASSERT_FALSE(live.ok());
  EXPECT_EQ(live.status().code(), Code::kNotFound);
  EXPECT_EQ(live.status().message().rfind(
                "GET /v1.0/subscribedSkus: HTTP 404 Request_ResourceNotFound: ", 0),
            0u)
      << live.status().message();
}

TEST_F(Microsoft365ProviderTest, DeltaSyncMergesChangesIntoTheStoredUsers) {
  Result<Snapshot> full = Fetch();
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  const int users_reads = graph_->Requests(kUsersPath);

  // u0 renamed and disabled, u1 removed, one new user.
  UserRecord changed = full->users[0];
  changed.display_name = "Renamed User";
  changed.enabled = false;
  const std::optional<TimeMs> kept_sign_in = full->users[0].last_sign_in;
  ASSERT_TRUE(kept_sign_in.has_value());
  changed.last_sign_in = kStart;  // delta never carries it; the stored one stays
  graph_->UpsertUser(kTenant, UserJson(changed));
  graph_->RemoveUser(kTenant, full->users[1].id);
  UserRecord added;
  added.id = "00000000-0000-0000-0000-00000000abcd";
  added.upn = "new.user@contoso.onmicrosoft.com";
  added.display_name = "New User";
  added.created = kStart - 1000;
  added.sku_ids = {full->skus[0].id};
  graph_->UpsertUser(kTenant, UserJson(added));

  clock_.Advance(3600 * 1000);
  int stored_calls = 0;
  Microsoft365Options options = Options();
  options.cursor = full->cursor;
  options.stored_users = [&]() -> Result<std::vector<UserRecord>> {
    ++stored_calls;
    return full->users;
  };
  Result<Snapshot> delta = Fetch(options);
  ASSERT_TRUE(delta.ok()) << delta.status().ToString();
  EXPECT_EQ(stored_calls, 1);
  EXPECT_EQ(graph_->Requests(kUsersPath), users_reads) << "no full read";
  EXPECT_EQ(graph_->Requests(kDeltaPath), 2);

  Snapshot expected = *full;
  expected.users[0] = changed;
  expected.users[0].last_sign_in = kept_sign_in;
  expected.users.erase(expected.users.begin() + 1);
  expected.users.push_back(added);
  EXPECT_EQ(Diff(*delta, expected), "");

  const nlohmann::json cursor = Cursor(*delta);
  EXPECT_EQ(cursor["full_at"], kStart);
  EXPECT_NE(cursor["delta_link"], Cursor(*full)["delta_link"]);

  // Nothing changed since: the stored users as they are.
  options.cursor = delta->cursor;
  options.stored_users = [&]() -> Result<std::vector<UserRecord>> { return delta->users; };
  Result<Snapshot> again = Fetch(options);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(Diff(*again, expected), "");

  // The stored users cannot be read: the sync fails and says why.
  options.stored_users = []() -> Result<std::vector<UserRecord>> {
    return Status::IoError("database is locked");
  };
  Result<Snapshot> failed = Fetch(options);
  EXPECT_EQ(failed.status().ToString(), "I/O error: stored users: database is locked");
}

TEST_F(Microsoft365ProviderTest, FullSyncOnceADayAndWhenTheDeltaLinkExpires) {
  Result<Snapshot> full = Fetch();
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  Microsoft365Options options = Options();
  options.cursor = full->cursor;
  options.stored_users = [&]() -> Result<std::vector<UserRecord>> { return full->users; };

  // A day later: a full read (sign-ins are only in /users).
  clock_.Advance(options.full_sync_every_ms);
  Result<Snapshot> daily = Fetch(options);
  ASSERT_TRUE(daily.ok()) << daily.status().ToString();
  EXPECT_EQ(graph_->Requests(kUsersPath), 6);
  EXPECT_EQ(Cursor(*daily)["full_at"], kStart + options.full_sync_every_ms);
  EXPECT_EQ(Diff(*daily, FromDirectory()), "");

  // A rejected delta link: 410, then a full sync.
  graph_->ExpireDeltaTokens(kTenant);
  options.cursor = daily->cursor;
  clock_.Advance(1000);
  Result<Snapshot> resync = Fetch(options);
  ASSERT_TRUE(resync.ok()) << resync.status().ToString();
  EXPECT_EQ(graph_->Requests(kUsersPath), 9);
  EXPECT_EQ(Diff(*resync, FromDirectory()), "");
  EXPECT_EQ(Cursor(*resync)["full_at"], kStart + options.full_sync_every_ms + 1000);
  const std::vector<std::string> log = graph_->Log();
  std::vector<std::string> delta_log;
  for (const std::string& line : log) {
    if (line.rfind("GET /v1.0/users/delta", 0) == 0) delta_log.push_back(line);
  }
  ASSERT_EQ(delta_log.size(), 4u);
  EXPECT_EQ(delta_log[2].find("$deltatoken=latest"), std::string::npos);  // the stored link
  EXPECT_NE(delta_log[3].find("$deltatoken=latest"), std::string::npos);  // the new one
}

// OData allows relative links; Graph's are absolute today, but a sync must
// not depend on it.
TEST_F(Microsoft365ProviderTest, UnreadableCursorOrNoStoredUsersMeansAFullSync) {
  Microsoft365Options options = Options();
  options.cursor = "{not a cursor";
  options.stored_users = [&]() -> Result<std::vector<UserRecord>> { return tenant_.users; };
  Result<Snapshot> live = Fetch(options);
  ASSERT_TRUE(live.ok()) << live.status().ToString();
  EXPECT_EQ(graph_->Requests(kUsersPath), 3);
  EXPECT_EQ(Diff(*live, FromDirectory()), "");

  // A good cursor but no way to read the stored users: full again.
  options.cursor = live->cursor;
  options.stored_users = nullptr;
  live = Fetch(options);
  ASSERT_TRUE(live.ok()) << live.status().ToString();
  EXPECT_EQ(graph_->Requests(kUsersPath), 6);
  EXPECT_EQ(graph_->Requests(kDeltaPath), 2);  // both "latest"
}

TEST_F(Microsoft365ProviderTest, UserRemovedAndRestoredWithinOneDeltaIsKept) {
  Result<Snapshot> full = Fetch();
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  const UserRecord user = full->users[5];
  graph_->RemoveUser(kTenant, user.id);
  graph_->UpsertUser(kTenant, UserJson(user));
  Microsoft365Options options = Options();
  options.cursor = full->cursor;
  options.stored_users = [&]() -> Result<std::vector<UserRecord>> { return full->users; };
  Result<Snapshot> delta = Fetch(options);
  ASSERT_TRUE(delta.ok()) << delta.status().ToString();
  ASSERT_EQ(delta->users.size(), full->users.size());
  int found = 0;
  for (const UserRecord& u : delta->users) found += u.id == user.id ? 1 : 0;
  EXPECT_EQ(found, 1);
}

TEST_F(Microsoft365ProviderTest, DamagedBodiesFailTheFetchNamingTheEndpoint) {
  FakeGraphFault malformed;
  malformed.malformed = true;
  graph_->InjectFault("/v1.0/subscribedSkus", malformed);
  Result<Snapshot> live = Fetch();
  ASSERT_FALSE(live.ok());
  EXPECT_EQ(live.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(live.status().message().rfind("GET /v1.0/subscribedSkus page 1: malformed JSON: ", 0),
            0u)
      << live.status().message();

  FakeGraphFault truncated;
  truncated.truncate = true;
  graph_->InjectFault(kUsersPath, truncated);
  live = Fetch();
  ASSERT_FALSE(live.ok());
  EXPECT_EQ(live.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(live.status().message().rfind("GET /v1.0/users page 1: malformed JSON: ", 0), 0u)
      << live.status().message();

  FakeGraphFault wrong_type;
  wrong_type.status = 200;
  wrong_type.body = R"({"value":[{"id":"g1","securityEnabled":"yes"}]})";
  graph_->InjectFault("/v1.0/groups", wrong_type);
  live = Fetch();
  EXPECT_EQ(live.status().ToString(),
            "invalid argument: GET /v1.0/groups page 1: value[0].securityEnabled: expected "
            "boolean");

  FakeGraphFault loop;
  loop.next_link_loop = true;
  graph_->InjectFault("/v1.0/groups", loop);
  live = Fetch();
  EXPECT_EQ(live.status().ToString(),
            "invalid argument: GET /v1.0/groups page 1: @odata.nextLink repeats an earlier page "
            "(a paging loop)");
}

TEST_F(Microsoft365ProviderTest, HugeBodyIsCutAtTheLimit) {
  http_options_.max_body_bytes = uint64_t{1} << 20;
  auto http = NewCurlHttpClient(http_options_);
  ASSERT_TRUE(http.ok());
  http_ = std::move(http).value();
  FakeGraphFault huge;
  huge.huge_body_bytes = uint64_t{1} << 30;  // 1 GiB, never sent in full
  graph_->InjectFault("/v1.0/groups", huge);
  Result<Snapshot> live = Fetch();
  ASSERT_FALSE(live.ok());
  EXPECT_EQ(live.status().ToString(),
            "invalid argument: GET " + graph_->graph_url() +
                "/groups: response body is above the limit of 1048576 bytes");
  EXPECT_EQ(graph_->Requests("/v1.0/groups"), 1);
}

TEST_F(Microsoft365ProviderTest, ThrottlingIsWaitedOutWithRetryAfterOrBackoff) {
  FakeGraphFault throttled;
  throttled.status = 429;
  throttled.retry_after_s = 3;
  graph_->InjectFault(kUsersPath, throttled, 2);
  FakeGraphFault no_header;
  no_header.status = 429;
  graph_->InjectFault("/v1.0/subscribedSkus", no_header);
  FakeGraphFault server_error;
  server_error.status = 500;
  graph_->InjectFault("/v1.0/groups", server_error);

  Result<Snapshot> live = Fetch();
  ASSERT_TRUE(live.ok()) << live.status().ToString();
  EXPECT_EQ(Diff(*live, FromDirectory()), "");
  EXPECT_EQ(graph_->Requests(kUsersPath), 2 + 3);
  EXPECT_EQ(graph_->Requests("/v1.0/subscribedSkus"), 2);
  EXPECT_EQ(graph_->Requests("/v1.0/groups"), 1 + 1);

  std::vector<int64_t> sleeps = Sleeps();
  ASSERT_EQ(sleeps.size(), 4u);
  EXPECT_EQ(std::count(sleeps.begin(), sleeps.end(), 3000), 2);
  for (int64_t ms : sleeps) {
    EXPECT_GE(ms, 0);
    EXPECT_LE(ms, 3000);  // the first backoff is at most initial_backoff_ms (1 s)
  }
}

TEST_F(Microsoft365ProviderTest, RetriesExhaustedFailTheFetch) {
  FakeGraphFault unavailable;
  unavailable.status = 503;
  graph_->InjectFault("/v1.0/policies/identitySecurityDefaultsEnforcementPolicy", unavailable, 6);
  Result<Snapshot> live = Fetch();
  ASSERT_FALSE(live.ok());
  EXPECT_EQ(live.status().code(), Code::kUnavailable);
  EXPECT_EQ(live.status().message().rfind(
                "GET /v1.0/policies/identitySecurityDefaultsEnforcementPolicy: HTTP 503 after 6 "
                "attempts: ",
                0),
            0u)
      << live.status().message();
}

TEST_F(Microsoft365ProviderTest, SlowResponsePastTheTimeoutIsRetried) {
  http_options_.timeout_ms = 300;
  auto http = NewCurlHttpClient(http_options_);
  ASSERT_TRUE(http.ok());
  http_ = std::move(http).value();
  const std::string policies = "/v1.0/identity/conditionalAccess/policies";
  FakeGraphFault slow;
  slow.delay_ms = 2000;
  graph_->InjectFault(policies, slow);
  Result<Snapshot> live = Fetch();
  ASSERT_TRUE(live.ok()) << live.status().ToString();
  EXPECT_EQ(graph_->Requests(policies), 2);
  EXPECT_EQ(Diff(*live, FromDirectory()), "");

  Microsoft365Options options = Options();
  options.graph.max_attempts = 2;
  graph_->InjectFault(policies, slow, 2);
  live = Fetch(options);
  ASSERT_FALSE(live.ok());
  EXPECT_EQ(live.status().ToString(),
            "unavailable: GET " + policies + ": no response after 2 attempts: GET " +
                graph_->graph_url() +
                "/identity/conditionalAccess/policies: timed out after 300 ms");
}

TEST_F(Microsoft365ProviderTest, RefusedCredentialsFailTheFetchWithoutTheSecret) {
  Microsoft365Options options = Options();
  options.credentials.client_secret = "wrong-secret";
  Result<Snapshot> live = Fetch(options);
  ASSERT_FALSE(live.ok());
  EXPECT_EQ(live.status().code(), Code::kPermissionDenied);
  EXPECT_EQ(live.status().message().rfind(
                "tenant contoso-id: cannot get an access token: HTTP 401 invalid_client: "
                "AADSTS7000215: Invalid client secret provided.",
                0),
            0u)
      << live.status().message();
  EXPECT_EQ(live.status().message().find("wrong-secret"), std::string::npos);
  EXPECT_EQ(graph_->Requests(kUsersPath), 0);
}

TEST_F(Microsoft365ProviderTest, ExpiredTokenIsRenewedOnce) {
  auto provider = NewMicrosoft365Provider(Options(), http_);
  ASSERT_TRUE(provider.ok());
  ASSERT_TRUE((*provider)->Fetch().ok());
  EXPECT_EQ(graph_->TokenRequests(), 1);
  graph_->ExpireTokens();
  Result<Snapshot> again = (*provider)->Fetch();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(graph_->TokenRequests(), 2);
  EXPECT_EQ(Diff(*again, FromDirectory()), "");
}

TEST_F(Microsoft365ProviderTest, RequestsInFlightStayUnderTheSourceCap) {
  FakeGraphFault slow;
  slow.delay_ms = 300;
  for (const char* path : {"/v1.0/users", "/v1.0/users/delta", "/v1.0/subscribedSkus",
                           "/v1.0/groups", "/v1.0/identity/conditionalAccess/policies"}) {
    graph_->InjectFault(path, slow);
  }
  Microsoft365Options options = Options();
  options.graph.max_concurrent_requests = 2;
  Result<Snapshot> live = Fetch(options);
  ASSERT_TRUE(live.ok()) << live.status().ToString();
  EXPECT_EQ(graph_->MaxConcurrent(), 2);
}

TEST_F(Microsoft365ProviderTest, RequestsInFlightStayUnderTheGlobalCapAcrossTenants) {
  graph_->AddTenant("fabrikam-id", kClientId, kSecret);
  ASSERT_TRUE(graph_->LoadDirectory("fabrikam-id", dir_).ok());
  global_.SetCapacity(3);
  FakeGraphFault slow;
  slow.delay_ms = 300;
  for (const char* path :
       {"/v1.0/subscribedSkus", "/v1.0/groups", "/v1.0/identity/conditionalAccess/policies"}) {
    graph_->InjectFault(path, slow, 2);
  }
  Microsoft365Options a = Options();
  a.graph.max_concurrent_requests = 4;
  Microsoft365Options b = a;
  b.credentials.tenant_id = "fabrikam-id";
  Result<Snapshot> ra = Status::Internal("not run"), rb = Status::Internal("not run");
  std::thread ta([&] { ra = Fetch(a); });
  std::thread tb([&] { rb = Fetch(b); });
  ta.join();
  tb.join();
  ASSERT_TRUE(ra.ok()) << ra.status().ToString();
  ASSERT_TRUE(rb.ok()) << rb.status().ToString();
  EXPECT_EQ(graph_->MaxConcurrent(), 3);
  EXPECT_EQ(global_.max_in_use(), 3);
  EXPECT_EQ(Diff(*ra, *rb), "");
}

}  // namespace
}  // namespace vigil
