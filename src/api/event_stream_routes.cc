// The live event stream, so an open page follows changes without reload:
//   GET /api/v1/events/stream[?tenant=<name>][&type=<type>][&last_event_id=<id>]
//     200 text/event-stream (Server-Sent Events), Cache-Control: no-store,
//     X-Accel-Buffering: no. The events of the outbox (events/outbox.h) the
//     token may see -- a tenant token its own tenant's, an admin token every
//     tenant's or those of the tenant ?tenant= names -- in id order, each as
//       id: <outbox id>
//       event: <type, e.g. alert.opened>
//       data: <the payload JSON on one line, "tenant": <name> added>
//     followed by an empty line. ?type= is a type ("alert.opened"), a family
//     ("alert.*", as EventFilter has it) or "*" (every type).
//   Start: after the Last-Event-ID header (what EventSource sends when it
//   reconnects), else after ?last_event_id=, else after the newest event
//   (only new ones). The stream opens with "retry: 2000" and "id: <start>",
//   so a client that reconnects before any event resumes where it began.
//   When the events after the start id can no longer be given (pruned, or
//   the id is newer than any event here), it opens instead with
//     id: <newest>
//     event: reset
//     data: {"reason":"events after <id> were pruned; reload"}
//   and goes on after the newest event: the client reloads its view.
//   ": keep-alive" comment lines come after silences (HttpServerOptions).
//   400 bad_request for a malformed start id or type, before any of the
//   stream; 404 for a tenant the token may not see, as a missing one.
// The stream ends when its token is revoked (api/api.h), the client
// closes, or the server stops (api/http_connection.h).
#include <charconv>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api/routes.h"
#include "api/scope.h"
#include "events/outbox.h"
#include "observe/log.h"
#include "store/tenants.h"

namespace vigil {
namespace {

// What EventSource waits before it reconnects.
constexpr int kRetryMs = 2000;
// Events per poll; a full batch asks the server to poll again at once.
constexpr int kBatch = 500;
constexpr const char kKeepAlive[] = ": keep-alive\n\n";

// `text` as an event id: decimal digits only, 0 allowed, within int64.
std::optional<int64_t> ParseEventId(const std::string& text) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || text[0] == '-' || text[0] == '+' || ec != std::errc() || ptr != end) {
    return std::nullopt;
  }
  return value;
}

// A type filter: "*", or dot-separated segments of a-z 0-9 _ whose last
// may be "*" after at least one other ("alert.*").
bool ValidTypeFilter(const std::string& type) {
  if (type == "*") return true;
  if (type.empty() || type.size() > 128) return false;
  size_t start = 0;
  while (true) {
    const size_t dot = type.find('.', start);
    const std::string segment = type.substr(start, dot == std::string::npos ? dot : dot - start);
    const bool last = dot == std::string::npos;
    if (segment.empty()) return false;
    if (!(last && segment == "*" && start > 0)) {
      for (char c : segment) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
      }
    }
    if (last) return true;
    start = dot + 1;
  }
}

// The start id the request asks for, if any; 400 when malformed.
std::optional<ApiResponse> StartId(const ApiRequest& request, std::optional<int64_t>* out) {
  std::string source = "Last-Event-ID";
  std::optional<std::string> text = request.Header("last-event-id");
  if (!text || text->empty()) {
    source = "last_event_id";
    text = request.Query("last_event_id");
  }
  if (!text) return std::nullopt;
  *out = ParseEventId(*text);
  if (*out) return std::nullopt;
  return ErrorResponse(400, api_error::kBadRequest,
                       source + ": \"" + *text + "\" is not an event id (a whole number >= 0)");
}

// Why the events after `start` cannot be given any more, if so.
Result<std::optional<std::string>> Unreachable(Db* db, int64_t start, int64_t newest) {
  if (start > newest) {
    return std::optional<std::string>("event " + std::to_string(start) +
                                      " is newer than any here (the newest is " +
                                      std::to_string(newest) + "); reload");
  }
  if (start == newest) return std::optional<std::string>();
  // Pruning removes the oldest events: the oldest left shows how far.
  VIGIL_ASSIGN_OR_RETURN(std::vector<Event> oldest, ListEvents(db, EventFilter{}, 0, 1));
  if (oldest.empty() || oldest[0].id > start + 1) {
    return std::optional<std::string>("events after " + std::to_string(start) +
                                      " were pruned; reload");
  }
  return std::optional<std::string>();
}

// `text` with line breaks replaced, fit for one field line.
std::string OneLine(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return text;
}

std::string EventText(const Event& event, const std::string& tenant) {
  nlohmann::json data = nlohmann::json::parse(event.payload, nullptr, false);
  if (!data.is_object()) data = {{"tenant_id", event.tenant_id}, {"payload", event.payload}};
  if (!data.contains("tenant") && !tenant.empty()) data["tenant"] = tenant;
  return "id: " + std::to_string(event.id) + "\nevent: " + OneLine(event.type) +
         "\ndata: " + data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n\n";
}

// Tails the outbox from `after`, with `filter` (which holds the caller's
// tenant scope).
class EventStream : public ResponseStream {
 public:
  EventStream(EventFilter filter, int64_t after) : filter_(std::move(filter)), after_(after) {}

  StreamChunk Next(Db* db) override {
    StreamChunk chunk;
    Result<std::vector<Event>> events = ListEvents(db, filter_, after_, kBatch);
    if (!events.ok()) return Fail(events.status());
    for (const Event& event : *events) {
      Result<std::string> tenant = TenantName(db, event.tenant_id);
      if (!tenant.ok()) return Fail(tenant.status());
      chunk.text += EventText(event, *tenant);
      after_ = event.id;
    }
    chunk.more = static_cast<int>(events->size()) == kBatch;
    return chunk;
  }

  std::string Heartbeat() const override { return kKeepAlive; }

 private:
  // Ends the stream; the client reconnects after its last event.
  static StreamChunk Fail(const Status& status) {
    Log(LogLevel::kWarn, "api.event_stream_failed", {{"error", status.ToString()}});
    StreamChunk end;
    end.end = true;
    return end;
  }

  // The tenant's name ("" when it is gone), remembered.
  Result<std::string> TenantName(Db* db, int64_t id) {
    auto it = names_.find(id);
    if (it != names_.end()) return it->second;
    VIGIL_ASSIGN_OR_RETURN(std::optional<TenantRow> row, GetTenant(db, id));
    return names_[id] = row ? row->name : "";
  }

  const EventFilter filter_;
  int64_t after_;
  std::map<int64_t, std::string> names_;
};

ApiResponse StreamEventsRoute(const ApiRequest& request, RouteCall& call) {
  EventFilter filter;
  if (!call.principal->admin()) filter.tenant_id = *call.principal->tenant_id;
  if (std::optional<std::string> type = request.Query("type")) {
    if (!ValidTypeFilter(*type)) {
      return ErrorResponse(400, api_error::kBadRequest,
                           "type: \"" + *type +
                               "\" is not an event type (\"alert.opened\"), a family "
                               "(\"alert.*\") or \"*\"");
    }
    filter.type = *type == "*" ? "" : *type;
  }
  std::optional<int64_t> start;
  if (std::optional<ApiResponse> bad = StartId(request, &start)) return *bad;
  if (std::optional<std::string> name = request.Query("tenant")) {
    TenantRow tenant;
    if (std::optional<ApiResponse> missing = ResolveTenant(call, *name, &tenant)) return *missing;
    filter.tenant_id = tenant.id;
  }
  Result<int64_t> newest = NewestEventId(call.db);
  if (!newest.ok()) return ErrorFromStatus(newest.status());
  std::optional<std::string> reset;
  if (start) {
    Result<std::optional<std::string>> unreachable = Unreachable(call.db, *start, *newest);
    if (!unreachable.ok()) return ErrorFromStatus(unreachable.status());
    reset = *unreachable;
  }
  const int64_t after = start && !reset ? *start : *newest;
  ApiResponse response;
  response.content_type = "text/event-stream";
  response.headers = {{"Cache-Control", "no-store"}, {"X-Accel-Buffering", "no"}};
  response.body = "retry: " + std::to_string(kRetryMs) + "\nid: " + std::to_string(after) + "\n\n";
  if (reset) {
    response.body += "id: " + std::to_string(after) + "\nevent: reset\ndata: " +
                     nlohmann::json{{"reason", *reset}}.dump() + "\n\n";
  }
  response.stream = std::make_shared<EventStream>(std::move(filter), after);
  return response;
}

}  // namespace

void AddEventStreamRoutes(Router* router) {
  router->Add({"GET", "/api/v1/events/stream", RouteAuth::kToken, StreamEventsRoute});
}

}  // namespace vigil
