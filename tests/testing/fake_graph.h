// FakeGraph (for tests and benchmarks): a local stand-in for Microsoft Graph
// and the Microsoft identity platform's token endpoint, served over HTTP on
// 127.0.0.1 and a free port, so the live Microsoft 365 provider can be tested
// without a tenant.
//
//   auto graph = testing::FakeGraph::Start();
//   graph->AddTenant("contoso", "client-id", "secret");
//   ASSERT_TRUE(graph->LoadDirectory("contoso", dir).ok());
//   // token:  POST {authority_url()}/contoso/oauth2/v2.0/token
//   // data:   GET  {graph_url()}/users?$top=500   Authorization: Bearer ...
//
// Token endpoint, POST form (application/x-www-form-urlencoded) with
// client_id, client_secret, scope and grant_type:
//   200 {"token_type":"Bearer","expires_in":N,"ext_expires_in":N,"access_token":"..."}
//   400 invalid_request (AADSTS90002) for a tenant never added with AddTenant
//   400 invalid_request (AADSTS900144) when a parameter is missing
//   400 unsupported_grant_type (AADSTS70003) unless grant_type=client_credentials
//   400 invalid_scope (AADSTS1002012) unless the scope ends in "/.default"
//   400 invalid_resource (AADSTS500011) unless the scope is the fake's Graph
//       origin + "/.default" (http://127.0.0.1:PORT/.default, or ServeAs's
//       origin): each cloud's Graph is its own resource
//   401 invalid_client: AADSTS7000215 for a wrong secret, AADSTS700016 for a
//       wrong client id
// Tokens live SetTokenLifetime seconds (steady clock) or until ExpireTokens.
//
// Graph endpoints (under /v1.0) need "Authorization: Bearer <token>" of a
// live token; otherwise 401 InvalidAuthenticationToken ("Access token is
// empty." without one, "Access token has expired or is not yet valid." for an
// expired or unknown one). The tenant is the token's tenant. A request is
// handled in this order: injected fault, authentication, Deny, then the data.
//   collections  /users, /subscribedSkus, /groups,
//                /reports/authenticationMethods/userRegistrationDetails,
//                /roleManagement/directory/roleAssignments,
//                /identity/conditionalAccess/policies,
//                /groups/{id}/members (groupMembers/{id}.json of the directory)
//       Paged: $top (default 100, capped at SetMaxPageSize) objects per page,
//       {"@odata.context":"...","value":[...],"@odata.nextLink":"<url>"}; the
//       nextLink keeps the request's query and adds $skiptoken; the last
//       page has none. Links are absolute unless SetLinks says otherwise. $top below 1 or not a
//       number, or an unknown $skiptoken: 400 BadRequest. Only /users looks at $select, and only
//       for signInActivity: objects carry it only when it is selected (all
//       other properties are served as the directory has them).
//   /policies/identitySecurityDefaultsEnforcementPolicy  the single object.
//   /users/delta  (no signInActivity ever, as in Graph)
//       no token:            every user, paged by $skiptoken, the last page
//                            with "@odata.deltaLink": ".../users/delta?$deltatoken=T"
//       $deltatoken=latest:  no users, a deltaLink for now
//       $deltatoken=T:       users upserted since T (whole objects) and
//                            {"id":"..","@removed":{"reason":"changed"}} for
//                            users removed since T, paged, then a new deltaLink
//       unknown T, or T older than ExpireDeltaTokens: 410 resyncRequired
//   An endpoint whose file was missing from the loaded directory (and that
//   had no UpsertUser, for users) answers 404 Request_ResourceNotFound; an
//   unknown path under /v1.0 answers 400 BadRequest.
// Errors are Graph-shaped: {"error":{"code","message","innerError":{"date",
// "request-id","client-request-id"}}}.
//
// A fault first waits delay_ms (cut short with a 503 when the fake is
// destroyed), then answers the first that applies: huge_body_bytes,
// malformed, status (with body, or a default error: Graph-shaped, or
// identity-platform-shaped on a token path), else the real response, which
// truncate and next_link_loop alter. Retry-After goes with any of them.
//
// Paths given to InjectFault, Deny and Requests are request paths without a
// query: "/v1.0/users", "/auth/contoso/oauth2/v2.0/token". A path that starts
// with neither "/v1.0/" nor "/auth/" is taken as under /v1.0 ("/users").
//
// Pages are concatenated from pre-serialized objects: serving 100,000 users
// costs little more than copying their bytes. Requests are served by a pool
// of kThreads threads, so that many connections (idle keep-alive ones
// included) are served at once; more wait for a free thread. An idle keep-alive
// connection is closed after 1 s; the destructor waits for open connections
// to end (at most about that long).
//
// Links (@odata.nextLink, @odata.deltaLink) are absolute URLs below the
// fake's Graph URL by default; SetLinks makes them relative references, as
// OData allows: "/v1.0/users?$top=5&$skiptoken=p5" (absolute path) or
// "users?$top=5&$skiptoken=p5" (relative to the request's path). ServeAs
// makes the fake answer as the Graph of another origin (a national cloud):
// absolute links and @odata.context below that origin, tokens only for its
// scope; a test then routes that origin's requests to the fake over
// loopback (testing/routing_http_client.h).
//
// Thread safety: every method may be called from any thread at any time.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace vigil::testing {

struct FakeGraphReply;  // fake_graph.cc

// How the fake writes @odata.nextLink and @odata.deltaLink.
enum class FakeGraphLinks {
  kAbsolute,      // "http://127.0.0.1:PORT/v1.0/users?...&$skiptoken=p5" (the default)
  kAbsolutePath,  // "/v1.0/users?...&$skiptoken=p5"
  kRelativePath,  // "users?...&$skiptoken=p5", "delta?$deltatoken=0.3"
};

// One injected response.
struct FakeGraphFault {
  int status = 0;  // e.g. 429, 500, 503, 401, 403 (0 = serve normally after delay)
  std::optional<int> retry_after_s;  // Retry-After header (with any status)
  int64_t delay_ms = 0;              // wait before answering (slow response / read timeout)
  std::string body;                  // explicit body (a Graph error JSON by default for a status)
  bool truncate = false;         // serve the real response cut in half (Content-Length of the cut)
  bool malformed = false;        // serve 200 "{\"value\": [ {\"id\": " (not JSON)
  uint64_t huge_body_bytes = 0;  // stream this many bytes of a never-ending JSON array, chunked
  bool next_link_loop = false;   // serve the real page with an @odata.nextLink to itself
};

class FakeGraph {
 public:
  static constexpr int kThreads = 16;

  // Binds 127.0.0.1 on a port the kernel picks and serves on a thread pool.
  // Returns null only when no port could be bound.
  static std::unique_ptr<FakeGraph> Start();
  ~FakeGraph();  // stops the server and joins its threads
  FakeGraph(const FakeGraph&) = delete;
  FakeGraph& operator=(const FakeGraph&) = delete;

  int port() const { return port_; }
  std::string authority_url() const;  // "http://127.0.0.1:PORT/auth"
  std::string graph_url() const;      // "http://127.0.0.1:PORT/v1.0"

  // Registers (or re-keys) the tenant's app credentials.
  void AddTenant(const std::string& tenant_id, const std::string& client_id,
                 const std::string& client_secret);

  // Serves the files of a Graph directory (docs/ARCHITECTURE.md, "The
  // Graph directory format") for the tenant, replacing what it served
  // before; a missing file's endpoint answers 404. Delta tokens issued before answer 410. NotFound when `dir`
  // is not a directory; IoError naming an unreadable file; InvalidArgument
  // "<file>: ..." for a file that is not the expected JSON.
  Status LoadDirectory(const std::string& tenant_id, const std::string& dir);

  // A change for /users and /users/delta: adds the user or replaces the one
  // with the same "id". `user_json` must be a JSON object with a string id
  // (anything else aborts: a bug in the test).
  void UpsertUser(const std::string& tenant_id, const std::string& user_json);
  // Removes the user; delta reports it as removed. Unknown ids are ignored.
  void RemoveUser(const std::string& tenant_id, const std::string& user_id);

  // Answers as the Graph at `origin` ("https://graph.microsoft.us"; "" for
  // its own loopback origin, the default): see the top.
  void ServeAs(const std::string& origin);
  void SetLinks(FakeGraphLinks form);  // for links written from now on

  void SetMaxPageSize(int n);          // default 999 (Graph's cap); $top above it is capped
  void SetTokenLifetime(int seconds);  // expires_in of tokens issued from now on (default 3599)
  void ExpireTokens();                 // every token issued so far is now rejected with 401

  // `path` answers 403 {"error":{"code":code,"message":message}} for the
  // tenant until ClearDeny.
  void Deny(const std::string& tenant_id, const std::string& path, const std::string& code,
            const std::string& message);
  void ClearDeny(const std::string& tenant_id, const std::string& path);
  // /users with signInActivity in $select answers 403
  // Authentication_RequestFromNonPremiumTenantOrB2CTenant (a tenant without
  // Entra ID P1), until AllowSignInActivity.
  void DenySignInActivity(const std::string& tenant_id);
  void AllowSignInActivity(const std::string& tenant_id);
  // Every delta token issued so far answers 410 resyncRequired.
  void ExpireDeltaTokens(const std::string& tenant_id);

  // The next `times` requests to `path` (any method, any tenant, before
  // authentication) get `fault`. Faults for one path queue up in order.
  void InjectFault(const std::string& path, FakeGraphFault fault, int times = 1);

  // Observations.
  int Requests(const std::string& path) const;  // requests to that path so far
  int TokenRequests() const;                    // requests to any token endpoint
  // The scope parameter of every token request, in arrival order.
  std::vector<std::string> TokenScopes() const;
  int MaxConcurrent() const;                    // most requests in flight at once (all paths)
  int InFlight() const;                         // requests in flight now
  // One line per request in arrival order: method and target with the
  // query percent-decoded, e.g. "GET /v1.0/users?$top=500".
  std::vector<std::string> Log() const;

 private:
  struct Tenant;
  struct PendingFault {
    FakeGraphFault fault;
    int remaining = 0;
  };

  FakeGraph();
  void Handle(const httplib::Request& req, httplib::Response& res);
  FakeGraphReply Token(const httplib::Request& req, const std::string& tenant_id);
  FakeGraphReply Graph(const httplib::Request& req, bool next_link_loop);
  FakeGraphReply Delta(const Tenant& tenant, const httplib::Request& req, int page_size,
                       const std::string& next_base, const std::string& self_url) const;
  std::optional<FakeGraphFault> TakeFault(const std::string& path);
  bool Wait(int64_t delay_ms);  // false when the server is stopping
  Tenant& TenantLocked(const std::string& tenant_id);
  // The origin the fake answers as, and a link to `resource` (below /v1.0)
  // with `query` in the form of links_.
  std::string OriginLocked() const;
  std::string LinkLocked(const std::string& resource, const std::string& query) const;

  int port_ = 0;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;

  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  std::atomic<bool> stopping_{false};

  mutable std::mutex mu_;  // guards everything below
  std::map<std::string, std::unique_ptr<Tenant>> tenants_;
  struct IssuedToken {
    std::string tenant_id;
    std::chrono::steady_clock::time_point expiry;
  };
  std::map<std::string, IssuedToken> tokens_;
  std::map<std::string, std::vector<PendingFault>> faults_;
  std::map<std::string, int> requests_;
  std::vector<std::string> log_;
  std::vector<std::string> token_scopes_;
  std::string public_origin_;  // "": http://127.0.0.1:PORT
  FakeGraphLinks links_ = FakeGraphLinks::kAbsolute;
  int token_requests_ = 0;
  int max_page_size_ = 999;
  int token_lifetime_s_ = 3599;
  int in_flight_ = 0;
  int max_concurrent_ = 0;
  uint64_t issued_ = 0;
};

}  // namespace vigil::testing
