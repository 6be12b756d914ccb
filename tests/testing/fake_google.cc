#include "testing/fake_google.h"

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <sstream>

#include "providers/google_jwt.h"
#include "testing/rsa_test_key.h"

namespace vigil::testing {
namespace {

constexpr char kJson[] = "application/json; charset=UTF-8";
constexpr char kUsersPath[] = "/admin/directory/v1/users";
constexpr char kCustomerPrefix[] = "/admin/directory/v1/customer/";
constexpr char kLicensingPrefix[] = "/apps/licensing/v1/product/";

std::string OAuthError(const std::string& error, const std::string& description) {
  return nlohmann::json{{"error", error}, {"error_description", description}}.dump();
}

std::set<std::string> Words(const std::string& text) {
  std::set<std::string> words;
  std::istringstream in(text);
  for (std::string word; in >> word;) words.insert(word);
  return words;
}

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "<prefix><segment><suffix>" -> segment (one path segment), or "".
std::string Segment(const std::string& path, const std::string& prefix, const std::string& suffix) {
  if (path.size() <= prefix.size() + suffix.size() || path.rfind(prefix, 0) != 0 ||
      path.compare(path.size() - suffix.size(), suffix.size(), suffix) != 0) {
    return "";
  }
  std::string segment = path.substr(prefix.size(), path.size() - prefix.size() - suffix.size());
  return segment.find('/') == std::string::npos ? segment : "";
}

}  // namespace

std::string GoogleErrorBody(int code, const std::string& reason, const std::string& message,
                            const std::string& status) {
  nlohmann::json error = {
      {"code", code},
      {"message", message},
      {"errors", {{{"domain", "global"}, {"reason", reason}, {"message", message}}}},
      {"status", status}};
  return nlohmann::json{{"error", error}}.dump();
}

std::string GoogleRateLimitBody(const std::string& reason) {
  return GoogleErrorBody(403, reason, "Quota exceeded for quota metric 'Queries'",
                         "PERMISSION_DENIED");
}

FakeGoogleServer::FakeGoogleServer() : server_(std::make_unique<httplib::Server>()) {}

std::unique_ptr<FakeGoogleServer> FakeGoogleServer::Start() {
  std::unique_ptr<FakeGoogleServer> google(new FakeGoogleServer());
  httplib::Server& server = *google->server_;
  server.new_task_queue = [] { return new httplib::ThreadPool(kThreads); };
  server.set_keep_alive_timeout(1);
  server.set_keep_alive_max_count(100000);
  server.set_tcp_nodelay(true);
  FakeGoogleServer* self = google.get();
  auto handler = [self](const httplib::Request& req, httplib::Response& res) {
    self->Handle(req, res);
  };
  server.Get(".*", handler);
  server.Post(".*", handler);
  google->port_ = server.bind_to_any_port("127.0.0.1");
  if (google->port_ <= 0) return nullptr;
  google->thread_ = std::thread([&server] { server.listen_after_bind(); });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!server.is_running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return google;
}

FakeGoogleServer::~FakeGoogleServer() {
  if (thread_.joinable()) {
    server_->stop();
    thread_.join();
  }
}

std::string FakeGoogleServer::url() const { return "http://127.0.0.1:" + std::to_string(port_); }
std::string FakeGoogleServer::token_url() const { return url() + "/token"; }

void FakeGoogleServer::SetServiceAccount(const std::string& client_email,
                                         const std::string& key_id,
                                         const std::string& public_pem) {
  std::lock_guard<std::mutex> lock(mu_);
  client_email_ = client_email;
  key_id_ = key_id;
  public_pem_ = public_pem;
}

void FakeGoogleServer::AllowAdmin(const std::string& email) {
  std::lock_guard<std::mutex> lock(mu_);
  admins_.insert(email);
}

void FakeGoogleServer::SetUsers(std::vector<std::string> users) {
  std::lock_guard<std::mutex> lock(mu_);
  users_ = std::make_shared<const std::vector<std::string>>(std::move(users));
}
void FakeGoogleServer::SetRoles(std::vector<std::string> roles) {
  std::lock_guard<std::mutex> lock(mu_);
  roles_ = std::make_shared<const std::vector<std::string>>(std::move(roles));
}
void FakeGoogleServer::SetRoleAssignments(std::vector<std::string> assignments) {
  std::lock_guard<std::mutex> lock(mu_);
  role_assignments_ =
      std::make_shared<const std::vector<std::string>>(std::move(assignments));
}
void FakeGoogleServer::SetLicenses(const std::string& product,
                                   std::vector<std::string> assignments) {
  std::lock_guard<std::mutex> lock(mu_);
  licenses_[product] =
      std::make_shared<const std::vector<std::string>>(std::move(assignments));
}

void FakeGoogleServer::Deny(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  denied_.insert(path);
}
void FakeGoogleServer::ClearDeny(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  denied_.erase(path);
}

void FakeGoogleServer::InjectFault(const std::string& path, FakeGoogleFault fault, int times) {
  std::lock_guard<std::mutex> lock(mu_);
  faults_[path].emplace_back(std::move(fault), times);
}

int FakeGoogleServer::Requests(const std::string& path) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = requests_.find(path);
  return it == requests_.end() ? 0 : it->second;
}
int FakeGoogleServer::TokenRequests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return token_requests_;
}
std::vector<std::string> FakeGoogleServer::TokenRefusals() const {
  std::lock_guard<std::mutex> lock(mu_);
  return token_refusals_;
}
std::vector<std::string> FakeGoogleServer::Log() const {
  std::lock_guard<std::mutex> lock(mu_);
  return log_;
}

void FakeGoogleServer::Handle(const httplib::Request& req, httplib::Response& res) {
  std::optional<FakeGoogleFault> fault;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++requests_[req.path];
    std::string line = req.method + " " + req.path;
    std::string query;
    for (const auto& [name, value] : req.params) {
      query += (query.empty() ? "?" : "&") + name + "=" + value;
    }
    log_.push_back(line + query);
    auto it = faults_.find(req.path);
    if (it != faults_.end() && !it->second.empty()) {
      fault = it->second.front().first;
      if (--it->second.front().second <= 0) it->second.erase(it->second.begin());
    }
  }
  Reply reply;
  if (fault) {
    reply.status = fault->status;
    reply.retry_after_s = fault->retry_after_s;
    reply.body = !fault->body.empty() ? fault->body
                 : fault->status >= 500
                     ? GoogleErrorBody(fault->status, "backendError", "Backend Error", "UNAVAILABLE")
                     : GoogleErrorBody(fault->status, "fault", "Injected fault", "UNKNOWN");
  } else if (req.path == "/token") {
    reply = Token(req);
  } else {
    reply = Api(req);
  }
  if (reply.retry_after_s) res.set_header("Retry-After", std::to_string(*reply.retry_after_s));
  res.status = reply.status;
  res.set_content(reply.body, kJson);
}

FakeGoogleServer::Reply FakeGoogleServer::Token(const httplib::Request& req) {
  Reply reply;
  if (req.method != "POST") {
    reply = {405, OAuthError("invalid_request", "POST only")};
  } else if (req.get_param_value("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer") {
    reply = {400, OAuthError("unsupported_grant_type", "Invalid grant_type: " +
                                                           req.get_param_value("grant_type"))};
  } else {
    reply = TokenChecks(req.get_param_value("assertion"));
  }
  std::lock_guard<std::mutex> lock(mu_);
  ++token_requests_;
  if (reply.status == 200) {
    const std::string token = "ya29.fake-" + std::to_string(token_requests_);
    tokens_.insert(token);
    reply.body = nlohmann::json{{"access_token", token}, {"expires_in", 3599},
                                {"token_type", "Bearer"}}
                     .dump();
  } else {
    const nlohmann::json body = nlohmann::json::parse(reply.body);
    token_refusals_.push_back(body.value("error", "") + ": " +
                              body.value("error_description", ""));
  }
  return reply;
}

FakeGoogleServer::Reply FakeGoogleServer::TokenChecks(const std::string& assertion) {
  std::string client_email, key_id, public_pem;
  std::set<std::string> admins;
  {
    std::lock_guard<std::mutex> lock(mu_);
    client_email = client_email_, key_id = key_id_, public_pem = public_pem_, admins = admins_;
  }
  const Reply bad_signature{400, OAuthError("invalid_grant", "Invalid JWT Signature.")};
  const size_t dot1 = assertion.find('.');
  const size_t dot2 = assertion.rfind('.');
  if (dot1 == std::string::npos || dot1 == dot2) return bad_signature;
  const auto header = Base64UrlDecode(assertion.substr(0, dot1));
  const auto claims_text = Base64UrlDecode(assertion.substr(dot1 + 1, dot2 - dot1 - 1));
  const auto signature = Base64UrlDecode(assertion.substr(dot2 + 1));
  if (!header || !claims_text || !signature ||
      nlohmann::json::parse(*header, nullptr, false) !=
          nlohmann::json{{"alg", "RS256"}, {"typ", "JWT"}, {"kid", key_id}} ||
      !VerifyRs256(public_pem, assertion.substr(0, dot2), *signature)) {
    return bad_signature;
  }
  const nlohmann::json claims = nlohmann::json::parse(*claims_text, nullptr, false);
  if (!claims.is_object()) return bad_signature;
  const int64_t now = NowSeconds();
  const int64_t iat = claims.value("iat", int64_t{0});
  const int64_t exp = claims.value("exp", int64_t{0});
  if (claims.value("iss", "") != client_email) {
    return {400, OAuthError("invalid_grant", "Invalid JWT: iss is not the service account")};
  }
  if (claims.value("aud", "") != token_url()) {
    return {400, OAuthError("invalid_grant", "Invalid JWT: aud is not the token endpoint")};
  }
  if (exp <= now || exp - iat > 3600 || iat > now + 300) {
    return {400, OAuthError("invalid_grant",
                            "Invalid JWT: Token must be a short-lived token (60 minutes) and in "
                            "a reasonable timeframe.")};
  }
  if (Words(claims.value("scope", "")) != Words(GoogleReadOnlyScopes())) {
    return {400, OAuthError("invalid_scope", "Invalid OAuth scope or ID token audience provided.")};
  }
  if (admins.count(claims.value("sub", "")) == 0) {
    return {401, OAuthError("unauthorized_client",
                            "Client is unauthorized to retrieve access tokens using this method, "
                            "or client not authorized for any of the scopes requested.")};
  }
  return {200, ""};
}

FakeGoogleServer::Reply FakeGoogleServer::Api(const httplib::Request& req) {
  const std::string auth = req.get_header_value("Authorization");
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auth.rfind("Bearer ", 0) != 0 || tokens_.count(auth.substr(7)) == 0) {
      return {401, GoogleErrorBody(401, "authError", "Invalid Credentials", "UNAUTHENTICATED")};
    }
    if (denied_.count(req.path) != 0) {
      return {403, GoogleErrorBody(403, "forbidden", "Not Authorized to access this resource/api",
                                   "PERMISSION_DENIED")};
    }
  }
  const std::string& path = req.path;
  Items items;
  const char* member = "items";
  int max_page = 1000;
  std::string missing;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (path == kUsersPath) {
      items = users_, member = "users", max_page = 500;
      if (!req.has_param("customer")) missing = "customer";
    } else if (!Segment(path, kCustomerPrefix, "/roles").empty()) {
      items = roles_;
    } else if (!Segment(path, kCustomerPrefix, "/roleassignments").empty()) {
      items = role_assignments_;
    } else if (std::string product = Segment(path, kLicensingPrefix, "/users"); !product.empty()) {
      items = licenses_[product];
      if (!req.has_param("customerId")) missing = "customerId";
    } else {
      return {404, GoogleErrorBody(404, "notFound", "Not Found", "NOT_FOUND")};
    }
  }
  if (!missing.empty()) {
    return {400, GoogleErrorBody(400, "badRequest", "Missing " + missing, "INVALID_ARGUMENT")};
  }
  static const std::vector<std::string> kNone;
  return Page(req, items ? *items : kNone, member, max_page);
}

FakeGoogleServer::Reply FakeGoogleServer::Page(const httplib::Request& req,
                                               const std::vector<std::string>& items,
                                               const char* member, int max_page) {
  int page_size = 100;
  if (req.has_param("maxResults")) page_size = std::atoi(req.get_param_value("maxResults").c_str());
  if (page_size < 1) {
    return {400, GoogleErrorBody(400, "invalid", "Invalid maxResults", "INVALID_ARGUMENT")};
  }
  page_size = std::min(page_size, max_page);
  size_t offset = 0;
  if (req.has_param("pageToken")) {
    const std::string token = req.get_param_value("pageToken");
    const size_t parsed = token.size() > 1 && token[0] == 'p' ? std::strtoull(token.c_str() + 1, nullptr, 10) : 0;
    if (parsed == 0 || parsed >= items.size()) {
      return {400, GoogleErrorBody(400, "badRequest", "Invalid pageToken", "INVALID_ARGUMENT")};
    }
    offset = parsed;
  }
  const size_t end = std::min(items.size(), offset + static_cast<size_t>(page_size));
  std::string body = std::string("{\"kind\":\"fake\",\"") + member + "\":[";
  for (size_t i = offset; i < end; ++i) {
    if (i > offset) body += ',';
    body += items[i];
  }
  body += ']';
  if (end < items.size()) body += ",\"nextPageToken\":\"p" + std::to_string(end) + "\"";
  body += '}';
  return {200, std::move(body)};
}

}  // namespace vigil::testing
