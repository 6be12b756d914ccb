#include "testing/fake_graph.h"

#include <httplib.h>
#include <simdjson.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <unordered_map>

#include "common/json_text.h"
#include "testing/fake_graph_errors.h"
#include "testing/fake_graph_pages.h"

namespace vigil::testing {

namespace {

using namespace fake_graph;  // its errors and wire format
using Clock = std::chrono::steady_clock;

constexpr char kJson[] = "application/json; charset=utf-8";
constexpr char kUsers[] = "/users";
constexpr char kUsersDelta[] = "/users/delta";
constexpr char kSecurityDefaults[] = "/policies/identitySecurityDefaultsEnforcementPolicy";
constexpr char kMalformed[] = "{\"value\": [ {\"id\": ";
constexpr char kGroupMembersDir[] = "groupMembers";

// Graph endpoint (under /v1.0) -> its file in a Graph directory.
struct Endpoint {
  const char* path;
  const char* file;
};
constexpr Endpoint kEndpoints[] = {
    {kUsers, "users.json"},
    {"/subscribedSkus", "subscribedSkus.json"},
    {"/reports/authenticationMethods/userRegistrationDetails", "userRegistrationDetails.json"},
    {"/roleManagement/directory/roleAssignments", "roleAssignments.json"},
    {"/identity/conditionalAccess/policies", "conditionalAccessPolicies.json"},
    {"/groups", "groups.json"},
    {kSecurityDefaults, "securityDefaults.json"},
};

// "/groups/<id>/members" (below /v1.0), <id> one path segment.
bool IsGroupMembers(const std::string& resource) {
  const std::string prefix = "/groups/", suffix = "/members";
  if (resource.size() <= prefix.size() + suffix.size()) return false;
  if (resource.compare(0, prefix.size(), prefix) != 0) return false;
  if (resource.compare(resource.size() - suffix.size(), suffix.size(), suffix) != 0) return false;
  const std::string id =
      resource.substr(prefix.size(), resource.size() - prefix.size() - suffix.size());
  return id.find('/') == std::string::npos;
}

}  // namespace

struct FakeGraph::Tenant {
  bool has_credentials = false;
  std::string client_id;
  std::string client_secret;
  std::map<std::string, std::vector<std::string>> collections;  // path -> objects (not users)
  std::optional<std::string> security_defaults;
  bool has_users = false;
  std::vector<UserEntry> users;
  std::unordered_map<std::string, size_t> user_index;  // id -> index in users
  std::vector<std::string> changes;                    // the user id changed by change number i + 1
  uint64_t epoch = 0;                                  // delta tokens of another epoch are expired
  std::map<std::string, std::pair<std::string, std::string>> denied;  // path -> code, message
  bool deny_sign_in = false;
};

FakeGraph::FakeGraph() : server_(std::make_unique<httplib::Server>()) {}

std::unique_ptr<FakeGraph> FakeGraph::Start() {
  std::unique_ptr<FakeGraph> graph(new FakeGraph());
  httplib::Server& server = *graph->server_;
  server.new_task_queue = [] { return new httplib::ThreadPool(kThreads); };
  server.set_keep_alive_timeout(1);
  server.set_keep_alive_max_count(100000);
  // Small answers go out at once (Nagle would hold each for ~40 ms).
  server.set_tcp_nodelay(true);
  FakeGraph* self = graph.get();
  auto handler = [self](const httplib::Request& req, httplib::Response& res) {
    self->Handle(req, res);
  };
  server.Get(".*", handler);
  server.Post(".*", handler);
  graph->port_ = server.bind_to_any_port("127.0.0.1");
  if (graph->port_ <= 0) return nullptr;
  graph->thread_ = std::thread([&server] { server.listen_after_bind(); });
  // stop() does nothing until the server runs: wait for it so ~FakeGraph can stop it.
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (!server.is_running() && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return graph;
}

FakeGraph::~FakeGraph() {
  {
    std::lock_guard<std::mutex> lock(stop_mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (thread_.joinable()) {
    server_->stop();
    thread_.join();
  }
}

std::string FakeGraph::authority_url() const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/auth";
}

std::string FakeGraph::graph_url() const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/v1.0";
}

std::string FakeGraph::OriginLocked() const {
  return public_origin_.empty() ? "http://127.0.0.1:" + std::to_string(port_) : public_origin_;
}

std::string FakeGraph::LinkLocked(const std::string& resource, const std::string& query) const {
  switch (links_) {
    case FakeGraphLinks::kAbsolutePath:
      return "/v1.0" + resource + "?" + query;
    case FakeGraphLinks::kRelativePath:
      // Relative to a request for the same resource: its last segment.
      return resource.substr(resource.rfind('/') + 1) + "?" + query;
    case FakeGraphLinks::kAbsolute:
      break;
  }
  return OriginLocked() + "/v1.0" + resource + "?" + query;
}

void FakeGraph::ServeAs(const std::string& origin) {
  std::lock_guard<std::mutex> lock(mu_);
  public_origin_ = origin;
}

void FakeGraph::SetLinks(FakeGraphLinks form) {
  std::lock_guard<std::mutex> lock(mu_);
  links_ = form;
}

FakeGraph::Tenant& FakeGraph::TenantLocked(const std::string& tenant_id) {
  std::unique_ptr<Tenant>& tenant = tenants_[tenant_id];
  if (tenant == nullptr) tenant = std::make_unique<Tenant>();
  return *tenant;
}

void FakeGraph::AddTenant(const std::string& tenant_id, const std::string& client_id,
                          const std::string& client_secret) {
  std::lock_guard<std::mutex> lock(mu_);
  Tenant& tenant = TenantLocked(tenant_id);
  tenant.has_credentials = true;
  tenant.client_id = client_id;
  tenant.client_secret = client_secret;
}

Status FakeGraph::LoadDirectory(const std::string& tenant_id, const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return Status::NotFound("FakeGraph: " + dir + " is not a directory");
  Tenant loaded;
  simdjson::dom::parser parser;
  for (const Endpoint& endpoint : kEndpoints) {
    const std::string path = (fs::path(dir) / endpoint.file).string();
    if (!fs::exists(path, ec)) continue;
    simdjson::padded_string text;
    if (simdjson::padded_string::load(path).get(text))
      return Status::IoError("cannot read " + path);
    simdjson::dom::element doc;
    if (parser.parse(text).get(doc)) {
      return Status::InvalidArgument(std::string(endpoint.file) + ": malformed JSON");
    }
    if (endpoint.path == std::string_view(kSecurityDefaults)) {
      if (!doc.is_object())
        return Status::InvalidArgument(std::string(endpoint.file) + ": expected an object");
      loaded.security_defaults = simdjson::minify(doc);
      continue;
    }
    simdjson::dom::array values;
    if (doc["value"].get_array().get(values)) {
      return Status::InvalidArgument(std::string(endpoint.file) + ": expected {\"value\":[...]}");
    }
    const bool users = endpoint.path == std::string_view(kUsers);
    std::vector<std::string>& items = loaded.collections[endpoint.path];
    size_t index = 0;
    for (simdjson::dom::element value : values) {
      const std::string where =
          std::string(endpoint.file) + ": value[" + std::to_string(index++) + "]";
      if (!users) {
        if (!value.is_object()) return Status::InvalidArgument(where + ": expected an object");
        items.push_back(simdjson::minify(value));
        continue;
      }
      UserEntry user;
      if (!MakeUser(value, &user))
        return Status::InvalidArgument(where + ": expected an object with a string id");
      if (loaded.user_index.count(user.id) > 0)
        return Status::InvalidArgument(where + ": duplicate id " + user.id);
      loaded.user_index[user.id] = loaded.users.size();
      loaded.users.push_back(std::move(user));
    }
    if (users) {
      loaded.collections.erase(endpoint.path);
      loaded.has_users = true;
    }
  }
  // groupMembers/<id>.json: the answer of /groups/<id>/members.
  const fs::path members_dir = fs::path(dir) / kGroupMembersDir;
  if (fs::is_directory(members_dir, ec)) {
    for (const fs::directory_entry& entry : fs::directory_iterator(members_dir, ec)) {
      const fs::path& path = entry.path();
      if (path.extension() != ".json") continue;
      const std::string file = std::string(kGroupMembersDir) + "/" + path.filename().string();
      simdjson::padded_string text;
      if (simdjson::padded_string::load(path.string()).get(text)) {
        return Status::IoError("cannot read " + path.string());
      }
      simdjson::dom::element doc;
      simdjson::dom::array values;
      if (parser.parse(text).get(doc) || doc["value"].get_array().get(values)) {
        return Status::InvalidArgument(file + ": expected {\"value\":[...]}");
      }
      std::vector<std::string>& items =
          loaded.collections["/groups/" + path.stem().string() + "/members"];
      for (simdjson::dom::element value : values) {
        if (!value.is_object()) return Status::InvalidArgument(file + ": expected objects");
        items.push_back(simdjson::minify(value));
      }
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  Tenant& tenant = TenantLocked(tenant_id);
  tenant.collections = std::move(loaded.collections);
  tenant.security_defaults = std::move(loaded.security_defaults);
  tenant.has_users = loaded.has_users;
  tenant.users = std::move(loaded.users);
  tenant.user_index = std::move(loaded.user_index);
  tenant.changes.clear();
  ++tenant.epoch;
  return Status::Ok();
}

void FakeGraph::UpsertUser(const std::string& tenant_id, const std::string& user_json) {
  simdjson::dom::parser parser;
  simdjson::dom::element element;
  UserEntry user;
  if (parser.parse(simdjson::padded_string(user_json)).get(element) || !MakeUser(element, &user)) {
    std::fprintf(stderr, "FakeGraph::UpsertUser: not a user object with a string id: %s\n",
                 user_json.c_str());
    std::abort();
  }
  std::lock_guard<std::mutex> lock(mu_);
  Tenant& tenant = TenantLocked(tenant_id);
  tenant.has_users = true;
  tenant.changes.push_back(user.id);
  auto it = tenant.user_index.find(user.id);
  if (it != tenant.user_index.end()) {
    tenant.users[it->second] = std::move(user);
  } else {
    tenant.user_index[user.id] = tenant.users.size();
    tenant.users.push_back(std::move(user));
  }
}

void FakeGraph::RemoveUser(const std::string& tenant_id, const std::string& user_id) {
  std::lock_guard<std::mutex> lock(mu_);
  Tenant& tenant = TenantLocked(tenant_id);
  auto it = tenant.user_index.find(user_id);
  if (it == tenant.user_index.end()) return;
  const size_t index = it->second;
  tenant.users.erase(tenant.users.begin() + static_cast<std::ptrdiff_t>(index));
  tenant.user_index.erase(it);
  for (size_t i = index; i < tenant.users.size(); ++i) tenant.user_index[tenant.users[i].id] = i;
  tenant.changes.push_back(user_id);
}

void FakeGraph::SetMaxPageSize(int n) {
  std::lock_guard<std::mutex> lock(mu_);
  max_page_size_ = std::max(1, n);
}

void FakeGraph::SetTokenLifetime(int seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  token_lifetime_s_ = seconds;
}

void FakeGraph::ExpireTokens() {
  std::lock_guard<std::mutex> lock(mu_);
  tokens_.clear();
}

void FakeGraph::Deny(const std::string& tenant_id, const std::string& path, const std::string& code,
                     const std::string& message) {
  std::lock_guard<std::mutex> lock(mu_);
  TenantLocked(tenant_id).denied[NormalizePath(path)] = {code, message};
}

void FakeGraph::ClearDeny(const std::string& tenant_id, const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  TenantLocked(tenant_id).denied.erase(NormalizePath(path));
}

void FakeGraph::DenySignInActivity(const std::string& tenant_id) {
  std::lock_guard<std::mutex> lock(mu_);
  TenantLocked(tenant_id).deny_sign_in = true;
}

void FakeGraph::AllowSignInActivity(const std::string& tenant_id) {
  std::lock_guard<std::mutex> lock(mu_);
  TenantLocked(tenant_id).deny_sign_in = false;
}

void FakeGraph::ExpireDeltaTokens(const std::string& tenant_id) {
  std::lock_guard<std::mutex> lock(mu_);
  ++TenantLocked(tenant_id).epoch;
}

void FakeGraph::InjectFault(const std::string& path, FakeGraphFault fault, int times) {
  if (times <= 0) return;
  std::lock_guard<std::mutex> lock(mu_);
  faults_[NormalizePath(path)].push_back({std::move(fault), times});
}

std::optional<FakeGraphFault> FakeGraph::TakeFault(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = faults_.find(path);
  if (it == faults_.end() || it->second.empty()) return std::nullopt;
  FakeGraphFault fault = it->second.front().fault;
  if (--it->second.front().remaining == 0) it->second.erase(it->second.begin());
  return fault;
}

int FakeGraph::Requests(const std::string& path) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = requests_.find(NormalizePath(path));
  return it == requests_.end() ? 0 : it->second;
}

int FakeGraph::TokenRequests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return token_requests_;
}

int FakeGraph::MaxConcurrent() const {
  std::lock_guard<std::mutex> lock(mu_);
  return max_concurrent_;
}

int FakeGraph::InFlight() const {
  std::lock_guard<std::mutex> lock(mu_);
  return in_flight_;
}

std::vector<std::string> FakeGraph::TokenScopes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return token_scopes_;
}

std::vector<std::string> FakeGraph::Log() const {
  std::lock_guard<std::mutex> lock(mu_);
  return log_;
}

bool FakeGraph::Wait(int64_t delay_ms) {
  std::unique_lock<std::mutex> lock(stop_mu_);
  return !stop_cv_.wait_for(lock, std::chrono::milliseconds(delay_ms),
                            [this] { return stopping_.load(); });
}

void FakeGraph::Handle(const httplib::Request& req, httplib::Response& res) {
  const std::string token_tenant = TokenTenant(req.path);
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++requests_[req.path];
    log_.push_back(req.method + " " + httplib::detail::decode_url(req.target, false));
    if (!token_tenant.empty()) ++token_requests_;
    max_concurrent_ = std::max(max_concurrent_, ++in_flight_);
  }
  struct Leave {
    FakeGraph* graph;
    ~Leave() {
      std::lock_guard<std::mutex> lock(graph->mu_);
      --graph->in_flight_;
    }
  } leave{this};

  const std::optional<FakeGraphFault> fault = TakeFault(req.path);
  if (fault && fault->retry_after_s) {
    res.set_header("Retry-After", std::to_string(*fault->retry_after_s));
  }
  FakeGraphReply reply;
  if (fault && fault->delay_ms > 0 && !Wait(fault->delay_ms)) {
    reply = GraphError(503, "serviceNotAvailable", "The server is shutting down.");
  } else if (fault && fault->huge_body_bytes > 0) {
    StreamHugeBody(res, fault->huge_body_bytes, &stopping_);
    return;
  } else if (fault && fault->malformed) {
    reply.body = kMalformed;
  } else if (fault && fault->status != 0) {
    reply = fault->body.empty() ? DefaultFaultReply(fault->status, !token_tenant.empty())
                                : FakeGraphReply{fault->status, fault->body};
  } else {
    if (!token_tenant.empty()) {
      reply = Token(req, token_tenant);
    } else if (StartsWith(req.path, "/v1.0/")) {
      reply = Graph(req, fault && fault->next_link_loop);
    } else {
      reply = GraphError(404, "NotFound", "No such endpoint: " + req.path);
    }
    if (fault && fault->truncate) reply.body.resize(reply.body.size() / 2);
  }
  res.status = reply.status;
  res.set_content(reply.body, kJson);
}

FakeGraphReply FakeGraph::Token(const httplib::Request& req, const std::string& tenant_id) {
  if (req.method != "POST") {
    return IdentityError(405, "invalid_request", 900561,
                         "The endpoint only accepts POST requests.");
  }
  std::lock_guard<std::mutex> lock(mu_);
  token_scopes_.push_back(req.get_param_value("scope"));
  auto it = tenants_.find(tenant_id);
  if (it == tenants_.end() || !it->second->has_credentials) {
    return IdentityError(400, "invalid_request", 90002,
                         "Tenant '" + tenant_id +
                             "' not found. Check to make sure you have the correct tenant ID and "
                             "are signing into the correct cloud.");
  }
  const Tenant& tenant = *it->second;
  for (const char* name : {"grant_type", "client_id", "scope", "client_secret"}) {
    if (req.get_param_value(name).empty()) {
      return IdentityError(
          400, "invalid_request", 900144,
          std::string("The request body must contain the following parameter: '") + name + "'.");
    }
  }
  const std::string grant = req.get_param_value("grant_type");
  const std::string client_id = req.get_param_value("client_id");
  const std::string scope = req.get_param_value("scope");
  if (grant != "client_credentials") {
    return IdentityError(400, "unsupported_grant_type", 70003,
                         "The app requested an unsupported grant type '" + grant + "'.");
  }
  const std::string default_suffix = "/.default";
  if (scope.size() <= default_suffix.size() ||
      scope.compare(scope.size() - default_suffix.size(), default_suffix.size(), default_suffix) !=
          0) {
    return IdentityError(400, "invalid_scope", 1002012,
                         "The provided value for scope " + scope +
                             " is not valid. Client credential flows must have a scope value with "
                             "/.default suffixed to the resource identifier (application ID URI).");
  }
  const std::string resource = scope.substr(0, scope.size() - default_suffix.size());
  if (resource != OriginLocked()) {
    return IdentityError(400, "invalid_resource", 500011,
                         "The resource principal named " + resource +
                             " was not found in the tenant named " + tenant_id +
                             ". The request may have gone to the wrong cloud.");
  }
  if (client_id != tenant.client_id) {
    return IdentityError(401, "invalid_client", 700016,
                         "Application with identifier '" + client_id +
                             "' was not found in the directory '" + tenant_id + "'.");
  }
  if (req.get_param_value("client_secret") != tenant.client_secret) {
    return IdentityError(
        401, "invalid_client", 7000215,
        "Invalid client secret provided. Ensure the secret being sent in the request is the client "
        "secret value, not the client secret ID, for a secret added to app '" +
            client_id + "'.");
  }
  const std::string token = "fake." + std::to_string(++issued_) + "." + RandomHex(24);
  tokens_[token] = {tenant_id, Clock::now() + std::chrono::seconds(token_lifetime_s_)};
  nlohmann::json body = {{"token_type", "Bearer"},
                         {"expires_in", token_lifetime_s_},
                         {"ext_expires_in", token_lifetime_s_},
                         {"access_token", token}};
  return {200, body.dump()};
}

FakeGraphReply FakeGraph::Graph(const httplib::Request& req, bool next_link_loop) {
  if (req.method != "GET")
    return GraphError(405, "Request_BadRequest", "The method " + req.method + " is not allowed.");
  const std::string authorization = req.get_header_value("Authorization");
  std::lock_guard<std::mutex> lock(mu_);
  if (!StartsWith(authorization, "Bearer ") || authorization.size() == 7) {
    return GraphError(401, "InvalidAuthenticationToken", "Access token is empty.");
  }
  auto token = tokens_.find(authorization.substr(7));
  if (token == tokens_.end() || Clock::now() >= token->second.expiry) {
    return GraphError(401, "InvalidAuthenticationToken",
                      "Access token has expired or is not yet valid.");
  }
  const Tenant& tenant = TenantLocked(token->second.tenant_id);
  if (auto denied = tenant.denied.find(req.path); denied != tenant.denied.end()) {
    return GraphError(403, denied->second.first, denied->second.second);
  }
  uint64_t page_size = kDefaultPageSize;
  if (req.has_param("$top") &&
      (!ParseCount(req.get_param_value("$top"), &page_size) || page_size == 0)) {
    return GraphError(400, "BadRequest",
                      "Invalid value '" + req.get_param_value("$top") + "' for query option $top.");
  }
  page_size = std::min<uint64_t>(page_size, static_cast<uint64_t>(max_page_size_));
  const std::string resource = req.path.substr(5);  // after "/v1.0"
  const std::string self_url = OriginLocked() + req.target;
  const std::string loop_url = next_link_loop ? self_url : "";
  std::string kept = QueryWithout(req.target, {"$skiptoken", "$deltatoken"});
  const std::string next_base = LinkLocked(resource, kept + (kept.empty() ? "" : "&"));

  if (resource == kUsersDelta) {
    if (!tenant.has_users) return NotFound(req.path);
    return Delta(tenant, req, static_cast<int>(page_size), next_base, loop_url);
  }
  if (resource == kSecurityDefaults) {
    if (!tenant.security_defaults) return NotFound(req.path);
    return {200, *tenant.security_defaults};
  }
  const bool users = resource == kUsers;
  const std::vector<std::string>* items = nullptr;
  if (!users) {
    auto known = std::find_if(std::begin(kEndpoints), std::end(kEndpoints),
                              [&](const Endpoint& e) { return resource == e.path; });
    if (known == std::end(kEndpoints) && !IsGroupMembers(resource)) {
      const std::string segment = resource.substr(1, resource.find('/', 1) - 1);
      return GraphError(400, "BadRequest", "Resource not found for the segment '" + segment + "'.");
    }
    auto found = tenant.collections.find(resource);
    if (found == tenant.collections.end()) return NotFound(req.path);
    items = &found->second;
  } else if (!tenant.has_users) {
    return NotFound(req.path);
  }
  const bool sign_in = users && SelectsSignInActivity(req.get_param_value("$select"));
  if (sign_in && tenant.deny_sign_in) {
    return GraphError(403, "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
                      "Neither tenant is B2C or tenant doesn't have premium license");
  }
  PageSpec spec;
  spec.context = OriginLocked() + "/v1.0/$metadata#" + resource.substr(1);
  spec.count = users ? tenant.users.size() : items->size();
  spec.page_size = page_size;
  spec.next_base = next_base;
  spec.loop_url = loop_url;
  if (req.has_param("$skiptoken")) {
    const std::string skip = req.get_param_value("$skiptoken");
    uint64_t offset = 0;
    if (skip.size() < 2 || skip[0] != 'p' || !ParseCount(skip.substr(1), &offset) ||
        offset > spec.count) {
      return BadSkipToken();
    }
    spec.offset = offset;
  }
  auto item = [&](size_t i) -> const std::string& {
    if (!users) return (*items)[i];
    return sign_in ? tenant.users[i].full : tenant.users[i].without_sign_in;
  };
  return {200, PageBody(spec, item, [](size_t next) { return "p" + std::to_string(next); })};
}

// Delta state travels in the tokens: a delta token is "<epoch>.<change>"
// (changes after change number <change>); a skip token is
// "d<epoch>.<from>.<round>.<offset>" with <from> "i" for the initial round.
FakeGraphReply FakeGraph::Delta(const Tenant& tenant, const httplib::Request& req, int page_size,
                                const std::string& next_base, const std::string& loop_url) const {
  const uint64_t now = tenant.changes.size();
  auto delta_link = [&](uint64_t change) {
    return LinkLocked(kUsersDelta,
                      "$deltatoken=" + std::to_string(tenant.epoch) + "." + std::to_string(change));
  };
  bool initial = true;
  uint64_t epoch = tenant.epoch, from = 0, round = now, offset = 0;
  if (req.has_param("$skiptoken")) {
    char from_text[24] = {0};
    unsigned long long e = 0, r = 0, o = 0;
    int n = 0;
    const std::string skip = req.get_param_value("$skiptoken");
    if (std::sscanf(skip.c_str(), "d%llu.%20[0-9i].%llu.%llu%n", &e, from_text, &r, &o, &n) != 4 ||
        static_cast<size_t>(n) != skip.size()) {
      return BadSkipToken();
    }
    initial = std::string(from_text) == "i";
    if (!initial && !ParseCount(from_text, &from)) return BadSkipToken();
    epoch = e, round = r, offset = o;
    if (epoch != tenant.epoch || round > now || from > round) return ResyncRequired();
  } else if (req.has_param("$deltatoken")) {
    const std::string token = req.get_param_value("$deltatoken");
    if (token == "latest") {
      PageSpec spec;
      spec.context = OriginLocked() + "/v1.0/$metadata#users";
      spec.delta_link = delta_link(now);
      return {200, PageBody(spec, nullptr, nullptr)};
    }
    size_t dot = token.find('.');
    uint64_t token_epoch = 0;
    if (dot == std::string::npos || !ParseCount(token.substr(0, dot), &token_epoch) ||
        !ParseCount(token.substr(dot + 1), &from) || token_epoch != tenant.epoch || from > now) {
      return ResyncRequired();
    }
    initial = false;
  }
  // The changed users of the round, each once, in the order of their last change.
  std::vector<std::string> changed;
  if (!initial) {
    std::set<std::string> seen;
    for (uint64_t i = round; i > from; --i) {
      const std::string& id = tenant.changes[i - 1];
      if (!seen.insert(id).second) continue;
      auto user = tenant.user_index.find(id);
      changed.push_back(user != tenant.user_index.end()
                            ? tenant.users[user->second].without_sign_in
                            : "{\"id\":" + JsonQuote(id) +
                                  ",\"@removed\":{\"reason\":\"changed\"}}");
    }
    std::reverse(changed.begin(), changed.end());
  }
  PageSpec spec;
  spec.context = OriginLocked() + "/v1.0/$metadata#users";
  spec.count = initial ? tenant.users.size() : changed.size();
  if (offset > spec.count) return BadSkipToken();
  spec.offset = offset;
  spec.page_size = static_cast<size_t>(page_size);
  spec.next_base = next_base;
  spec.loop_url = loop_url;
  spec.delta_link = delta_link(round);
  auto item = [&](size_t i) -> const std::string& {
    return initial ? tenant.users[i].without_sign_in : changed[i];
  };
  auto skip_token = [&](size_t next) {
    return "d" + std::to_string(epoch) + "." + (initial ? "i" : std::to_string(from)) + "." +
           std::to_string(round) + "." + std::to_string(next);
  };
  return {200, PageBody(spec, item, skip_token)};
}

}  // namespace vigil::testing
