#include "testing/fake_graph_pages.h"

#include <algorithm>
#include <memory>

#include "common/json_text.h"

namespace vigil::testing::fake_graph {

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

std::string NormalizePath(const std::string& path) {
  std::string p = path.substr(0, path.find('?'));
  if (StartsWith(p, "/v1.0/") || StartsWith(p, "/auth/")) return p;
  return "/v1.0" + (StartsWith(p, "/") ? p : "/" + p);
}

std::string TokenTenant(const std::string& path) {
  if (!StartsWith(path, "/auth/")) return "";
  size_t slash = path.find('/', 6);
  if (slash == std::string::npos || slash == 6 || path.substr(slash) != kTokenSuffix) return "";
  return path.substr(6, slash - 6);
}

std::string QueryWithout(const std::string& target, std::initializer_list<std::string_view> drop) {
  size_t q = target.find('?');
  if (q == std::string::npos) return "";
  std::string out;
  std::string_view rest = std::string_view(target).substr(q + 1);
  while (!rest.empty()) {
    size_t amp = rest.find('&');
    std::string_view part = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    std::string key =
        httplib::detail::decode_url(std::string(part.substr(0, part.find('='))), false);
    if (part.empty() || std::find(drop.begin(), drop.end(), key) != drop.end()) continue;
    if (!out.empty()) out.push_back('&');
    out.append(part);
  }
  return out;
}

bool SelectsSignInActivity(const std::string& select) {
  std::string list = "," + select + ",";
  std::erase(list, ' ');
  for (char& c : list) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  return list.find(",signinactivity,") != std::string::npos;
}

bool ParseCount(const std::string& text, uint64_t* out) {
  if (text.empty() || text.size() > 18) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  *out = std::stoull(text);
  return true;
}

bool MakeUser(simdjson::dom::element element, UserEntry* user) {
  simdjson::dom::object object;
  std::string_view id;
  if (element.get_object().get(object) || object["id"].get_string().get(id)) return false;
  user->id = std::string(id);
  user->full = "{";
  user->without_sign_in = "{";
  for (simdjson::dom::key_value_pair field : object) {
    std::string text;
    AppendJsonString(&text, field.key);
    text.push_back(':');
    text += simdjson::minify(field.value);
    for (std::string* out : {&user->full, &user->without_sign_in}) {
      if (out == &user->without_sign_in && field.key == "signInActivity") continue;
      if (out->size() > 1) out->push_back(',');
      out->append(text);
    }
  }
  user->full.push_back('}');
  user->without_sign_in.push_back('}');
  return true;
}

std::string PageBody(const PageSpec& spec, const std::function<const std::string&(size_t)>& item,
                     const std::function<std::string(size_t)>& skip_token) {
  const size_t end = std::min(spec.count, spec.offset + spec.page_size);
  size_t bytes = spec.context.size() + spec.next_base.size() + spec.delta_link.size() + 128;
  for (size_t i = spec.offset; i < end; ++i) bytes += item(i).size() + 1;
  std::string body;
  body.reserve(bytes);
  body += "{\"@odata.context\":";
  AppendJsonString(&body, spec.context);
  body += ",\"value\":[";
  for (size_t i = spec.offset; i < end; ++i) {
    if (i > spec.offset) body.push_back(',');
    body += item(i);
  }
  body.push_back(']');
  if (!spec.loop_url.empty() || end < spec.count) {
    body += ",\"@odata.nextLink\":";
    AppendJsonString(&body, spec.loop_url.empty() ? spec.next_base + "$skiptoken=" + skip_token(end)
                                                  : spec.loop_url);
  } else if (!spec.delta_link.empty()) {
    body += ",\"@odata.deltaLink\":";
    AppendJsonString(&body, spec.delta_link);
  }
  body.push_back('}');
  return body;
}

void StreamHugeBody(httplib::Response& res, uint64_t total, const std::atomic<bool>* stopping) {
  static const std::string kBlock = [] {
    std::string block;
    while (block.size() < 65536) block += "{\"id\":\"00000000-0000-0000-0000-000000000000\"},";
    return block;
  }();
  auto sent = std::make_shared<uint64_t>(0);
  res.status = 200;
  res.set_chunked_content_provider(
      "application/json", [total, sent, stopping](size_t, httplib::DataSink& sink) {
        if (stopping->load()) return false;
        const std::string& chunk = *sent == 0 ? std::string("{\"value\":[") + kBlock : kBlock;
        const uint64_t n = std::min<uint64_t>(chunk.size(), total - *sent);
        if (!sink.write(chunk.data(), n)) return false;
        *sent += n;
        if (*sent >= total) sink.done();
        return true;
      });
}

}  // namespace vigil::testing::fake_graph
