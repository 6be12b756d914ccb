// The wire format of the fake Graph (testing/fake_graph.h): request paths
// and queries, users as it serves them, and pages of collections.
#pragma once

#include <httplib.h>
#include <simdjson.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>

namespace vigil::testing::fake_graph {

inline constexpr int kDefaultPageSize = 100;
inline constexpr char kTokenSuffix[] = "/oauth2/v2.0/token";

bool StartsWith(std::string_view text, std::string_view prefix);
// "/users?x" -> "/v1.0/users"; "/v1.0/..." and "/auth/..." stay as they are.
std::string NormalizePath(const std::string& path);
// The tenant of a token endpoint path, or "" for any other path.
std::string TokenTenant(const std::string& path);
// The raw query of `target` without the parameters named in `drop`.
std::string QueryWithout(const std::string& target, std::initializer_list<std::string_view> drop);
// Whether the comma-separated $select names signInActivity (any case).
bool SelectsSignInActivity(const std::string& select);
// A count of at most 18 decimal digits.
bool ParseCount(const std::string& text, uint64_t* out);

// One user, pre-serialized with and without signInActivity.
struct UserEntry {
  std::string id;
  std::string full;
  std::string without_sign_in;
};

// Fails when `element` is not an object with a string "id".
bool MakeUser(simdjson::dom::element element, UserEntry* user);

// What one page of a collection looks like and where the next one is.
struct PageSpec {
  std::string context;  // "@odata.context"
  size_t count = 0;     // objects in the whole listing
  size_t offset = 0;    // the first object of this page
  size_t page_size = kDefaultPageSize;
  std::string next_base;   // the nextLink is this + "$skiptoken=" + token
  std::string loop_url;    // when set: the nextLink of every page
  std::string delta_link;  // the deltaLink of the last page (delta only)
};

// The page `spec` describes: item(i) is the i-th object's JSON,
// skip_token(i) the token of the page that starts at object i.
std::string PageBody(const PageSpec& spec, const std::function<const std::string&(size_t)>& item,
                     const std::function<std::string(size_t)>& skip_token);

// Streams `total` bytes of a JSON array that never ends.
void StreamHugeBody(httplib::Response& res, uint64_t total, const std::atomic<bool>* stopping);

}  // namespace vigil::testing::fake_graph
