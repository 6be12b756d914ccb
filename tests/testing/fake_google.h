// FakeGoogleServer (for tests and benchmarks): a local stand-in for Google's
// OAuth token endpoint, the Admin SDK Directory API and the Enterprise License
// Manager, served over HTTP on 127.0.0.1 and a free port, so the live
// google_workspace provider can be tested without a Workspace.
//
//   auto google = testing::FakeGoogleServer::Start();
//   google->SetServiceAccount("sync@p.iam.gserviceaccount.com", "kid-1", key.public_pem);
//   google->AllowAdmin("admin@example.com");
//   google->SetUsers({R"({"id":"1","primaryEmail":"a@example.com"})"});
//   // token: POST {token_url()}        data: GET {url()}/admin/directory/v1/users?...
//
// Token endpoint (POST /token, form grant_type and assertion) checks the JWT
// as Google does, in this order, answering OAuth-shaped errors
// {"error": "...", "error_description": "..."}:
//   400 unsupported_grant_type  grant_type is not the jwt-bearer grant
//   400 invalid_grant "Invalid JWT Signature."  not three base64url parts,
//       a header other than {alg RS256, typ JWT, kid <key id>}, or a
//       signature the service account's public key does not verify
//   400 invalid_grant "Invalid JWT: ..."  iss is not the service account,
//       aud is not token_url(), exp is past or more than 3600 s after iat
//   400 invalid_scope  scope is not exactly the space-separated
//       GoogleReadOnlyScopes() (providers/google_jwt.h), in any order
//   401 unauthorized_client "Client is unauthorized to retrieve access tokens
//       using this method, or client not authorized for any of the scopes
//       requested."  sub is not an admin of AllowAdmin (no domain-wide delegation)
//   200 {"access_token": "ya29.fake-N", "expires_in": 3599, "token_type": "Bearer"}
//
// API (GET, "Authorization: Bearer <issued token>" or 401 UNAUTHENTICATED):
//   /admin/directory/v1/users?customer=..             {"users": [...]}
//   /admin/directory/v1/customer/{c}/roles            {"items": [...]}
//   /admin/directory/v1/customer/{c}/roleassignments  {"items": [...]}
//   /apps/licensing/v1/product/{p}/users?customerId=  {"items": [...]} (the product's)
// Paged: maxResults objects a page (default 100; users at most 500), then
// "nextPageToken"; an unknown pageToken or a missing customer/customerId is
// 400 badRequest. Unknown paths are 404 notFound. Errors are Google-shaped:
// {"error": {"code": N, "message": "...", "errors": [{"domain": "global",
// "reason": "...", "message": "..."}], "status": "..."}}.
//
// A request is handled in this order: injected fault, authentication, Deny,
// then the data. Paths given to InjectFault, Deny and Requests are request
// paths without a query ("/token", "/admin/directory/v1/users").
//
// Thread safety: every method may be called from any thread at any time.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace vigil::testing {

struct FakeGoogleFault {
  int status = 0;                    // e.g. 403, 429, 500, 503
  std::optional<int> retry_after_s;  // Retry-After header
  std::string body;                  // "" : a Google error of the status (backendError, ...)
};

// Google-shaped error bodies for faults.
std::string GoogleErrorBody(int code, const std::string& reason, const std::string& message,
                            const std::string& status);
std::string GoogleRateLimitBody(const std::string& reason);  // 403 userRateLimitExceeded, ...

class FakeGoogleServer {
 public:
  static constexpr int kThreads = 8;

  // Null only when no port could be bound.
  static std::unique_ptr<FakeGoogleServer> Start();
  ~FakeGoogleServer();
  FakeGoogleServer(const FakeGoogleServer&) = delete;
  FakeGoogleServer& operator=(const FakeGoogleServer&) = delete;

  std::string url() const;        // "http://127.0.0.1:PORT": api_url and licensing_url
  std::string token_url() const;  // url() + "/token"

  void SetServiceAccount(const std::string& client_email, const std::string& key_id,
                         const std::string& public_pem);
  void AllowAdmin(const std::string& email);  // domain-wide delegation for this subject

  // Pre-serialized JSON objects of each collection (replacing earlier ones).
  void SetUsers(std::vector<std::string> users);
  void SetRoles(std::vector<std::string> roles);
  void SetRoleAssignments(std::vector<std::string> assignments);
  void SetLicenses(const std::string& product, std::vector<std::string> assignments);

  // `path` answers 403 forbidden "Not Authorized to access this resource/api"
  // until ClearDeny.
  void Deny(const std::string& path);
  void ClearDeny(const std::string& path);
  // The next `times` requests to `path` get `fault`; faults queue in order.
  void InjectFault(const std::string& path, FakeGoogleFault fault, int times = 1);

  int Requests(const std::string& path) const;
  int TokenRequests() const;
  // The error of each refused token request, in order ("invalid_grant: Invalid JWT Signature.").
  std::vector<std::string> TokenRefusals() const;
  // "GET /admin/directory/v1/users?customer=my_customer&..." per request, in order.
  std::vector<std::string> Log() const;

 private:
  struct Reply {
    Reply() = default;
    Reply(int s, std::string b) : status(s), body(std::move(b)) {}
    int status = 200;
    std::string body;
    std::optional<int> retry_after_s;
  };
  FakeGoogleServer();
  void Handle(const httplib::Request& req, httplib::Response& res);
  Reply Token(const httplib::Request& req);
  Reply TokenChecks(const std::string& assertion);
  Reply Api(const httplib::Request& req);
  Reply Page(const httplib::Request& req, const std::vector<std::string>& items,
             const char* member, int max_page);

  int port_ = 0;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;

  mutable std::mutex mu_;  // guards everything below
  std::string client_email_, key_id_, public_pem_;
  std::set<std::string> admins_;
  // Shared, never changed once set: a request takes the pointer under mu_ and
  // pages without copying the collection (100,000 users in bench_google_sync).
  using Items = std::shared_ptr<const std::vector<std::string>>;
  Items users_, roles_, role_assignments_;
  std::map<std::string, Items> licenses_;
  std::set<std::string> denied_;
  std::map<std::string, std::vector<std::pair<FakeGoogleFault, int>>> faults_;
  std::map<std::string, int> requests_;
  std::vector<std::string> log_;
  std::vector<std::string> token_refusals_;
  std::set<std::string> tokens_;
  int token_requests_ = 0;
};

}  // namespace vigil::testing
