// `vigil events tail`.
#include <signal.h>

#include <ctime>
#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <ostream>

#include "app/cli_commands.h"
#include "app/cli_support.h"
#include "app/commands.h"
#include "common/time.h"
#include "events/nats_bus.h"
#include "events/outbox.h"
#include "store/tenants.h"

namespace vigil {
namespace {

constexpr int kOutboxPollMs = 200;

// Where the events come from: the next ones, or none yet.
class EventSource {
 public:
  virtual ~EventSource() = default;
  virtual Result<std::vector<Event>> Next() = 0;
};

class OutboxSource final : public EventSource {
 public:
  OutboxSource(std::unique_ptr<Db> db, EventFilter filter, int64_t after_id)
      : db_(std::move(db)), filter_(std::move(filter)), after_id_(after_id) {}
  Result<std::vector<Event>> Next() override {
    VIGIL_ASSIGN_OR_RETURN(std::vector<Event> events,
                           ListEvents(db_.get(), filter_, after_id_, 1000));
    if (!events.empty()) after_id_ = events.back().id;
    return events;
  }

 private:
  std::unique_ptr<Db> db_;
  EventFilter filter_;
  int64_t after_id_;
};

// Events from NATS: live ones, or with from_start the JetStream stream from
// its first message and then live ones (NatsBus::SubscribeFromStart).
class NatsSource final : public EventSource {
 public:
  static Result<std::unique_ptr<NatsSource>> Open(const std::string& url, const EventFilter& f,
                                                  bool from_start) {
    NatsBusOptions options;
    options.url = url;
    options.use_jetstream = false;  // a reader: publishes nothing, makes no stream
    std::unique_ptr<NatsSource> source(new NatsSource());
    VIGIL_ASSIGN_OR_RETURN(source->bus_, OpenNatsBus(options));
    NatsSource* self = source.get();
    auto arrived = [self](const Event& e) {
      std::lock_guard<std::mutex> lock(self->mu_);
      self->arrived_.push_back(e);
    };
    VIGIL_ASSIGN_OR_RETURN(source->subscription_, from_start
                                                      ? source->bus_->SubscribeFromStart(f, arrived)
                                                      : source->bus_->Subscribe(f, arrived));
    return source;
  }
  ~NatsSource() override { subscription_.reset(); }
  Result<std::vector<Event>> Next() override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<Event> events(arrived_.begin(), arrived_.end());
    arrived_.clear();
    return events;
  }

 private:
  NatsSource() = default;
  std::unique_ptr<NatsBus> bus_;
  std::unique_ptr<Subscription> subscription_;
  std::mutex mu_;
  std::deque<Event> arrived_;
};

void Print(const Event& e, const std::string& tenant, bool json, std::ostream& out) {
  if (json) {
    nlohmann::json payload = nlohmann::json::parse(e.payload, nullptr, false);
    out << nlohmann::json{{"id", e.id},       {"type", e.type},         {"tenant", tenant},
                          {"at", FormatIso8601(e.at)}, {"trace_id", e.trace_id},
                          {"payload", payload.is_discarded() ? nlohmann::json(e.payload) : payload}}
               .dump()
        << "\n";
  } else {
    out << FormatIso8601(e.at) << "  " << e.type << "  tenant=" << tenant << "  id=" << e.id
        << "  trace=" << e.trace_id << "  " << e.payload << "\n";
  }
  out.flush();
}

// Tenant names by id, for the lines.
Result<std::map<int64_t, std::string>> TenantNames(Db* db) {
  VIGIL_ASSIGN_OR_RETURN(std::vector<TenantRow> tenants, ListTenants(db));
  std::map<int64_t, std::string> names;
  for (TenantRow& t : tenants) names[t.id] = std::move(t.name);
  return names;
}

// Blocks SIGINT/SIGTERM for this thread while alive (they are taken with
// sigtimedwait) and restores the mask after.
class BlockedStopSignals {
 public:
  BlockedStopSignals() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set_, &old_);
  }
  ~BlockedStopSignals() { pthread_sigmask(SIG_SETMASK, &old_, nullptr); }
  // Waits up to ms for a stop signal; true when one came.
  bool Wait(int ms) {
    timespec ts{ms / 1000, (ms % 1000) * 1000000L};
    return sigtimedwait(&set_, nullptr, &ts) > 0;
  }

 private:
  sigset_t set_, old_;
};

}  // namespace

int RunEventsTail(const EventsTailCommand& cmd, std::ostream& out, std::ostream& err) {
  if (cmd.limit < 0) {
    err << "vigil: --limit: must be 0 (no limit) or more\n";
    return kExitUsage;
  }
  std::unique_ptr<Db> db = OpenExistingDatabaseOrReport(cmd.db, err);
  if (!db) return kExitFailed;
  EventFilter filter;
  filter.type = cmd.type;
  if (!cmd.tenant.empty()) {
    std::optional<TenantRow> tenant = FindTenantOrReport(db.get(), cmd.tenant, err);
    if (!tenant) return kExitFailed;
    filter.tenant_id = tenant->id;
  }
  Result<std::map<int64_t, std::string>> names = TenantNames(db.get());
  Result<int64_t> newest = NewestEventId(db.get());
  if (!names.ok() || !newest.ok()) {
    err << "vigil: " << (names.ok() ? newest.status() : names.status()).message() << "\n";
    return kExitFailed;
  }
  BlockedStopSignals signals;
  std::unique_ptr<EventSource> source;
  if (!cmd.nats.empty()) {
    Result<std::unique_ptr<NatsSource>> nats = NatsSource::Open(cmd.nats, filter, cmd.from_start);
    if (!nats.ok()) {
      err << "vigil: " << nats.status().message() << "\n";
      return kExitFailed;
    }
    source = std::move(nats).value();
  } else {
    source = std::make_unique<OutboxSource>(std::move(db), filter, cmd.from_start ? 0 : *newest);
  }
  int64_t printed = 0;
  for (;;) {
    Result<std::vector<Event>> events = source->Next();
    if (!events.ok()) {
      err << "vigil: " << events.status().message() << "\n";
      return kExitFailed;
    }
    for (const Event& e : *events) {
      auto name = names->find(e.tenant_id);
      Print(e, name == names->end() ? std::to_string(e.tenant_id) : name->second, cmd.json, out);
      if (cmd.limit > 0 && ++printed >= cmd.limit) return kExitOk;
    }
    if (signals.Wait(kOutboxPollMs)) return kExitOk;
  }
}

// The command line of `vigil events tail`.
void AddEventsCommand(CLI::App& app, CommandContext* cli) {
  auto cmd = std::make_shared<EventsTailCommand>();
  CLI::App* events = app.add_subcommand("events", "follow vigil's events");
  events->require_subcommand(1);
  CLI::App* c = events->add_subcommand(
      "tail",
      "print events as they happen, one per line, until SIGINT/SIGTERM (or --limit): from\n"
      "NATS with --nats (what `serve --nats` publishes), else from the database's outbox");
  c->add_option("--db", cmd->db, kDbHelp)->capture_default_str();
  c->add_option("--nats", cmd->nats, "read from this NATS server (nats://host:port)");
  c->add_option("--tenant", cmd->tenant, "only this tenant's events");
  c->add_option("--type", cmd->type, "only this type, or a prefix such as alert.*");
  c->add_flag("--from-start", cmd->from_start,
              "print the events kept so far first, then the new ones: the outbox's, or with\n"
              "--nats the JetStream stream VIGIL's from its first message");
  c->add_option("--limit", cmd->limit, "stop after this many events (0: no limit)")
      ->capture_default_str();
  c->add_flag("--json", cmd->json, "one JSON object per line");
  OnRun(c, cmd, cli, RunEventsTail);
}

}  // namespace vigil
