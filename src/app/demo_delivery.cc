#include "app/demo_delivery.h"

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <thread>

#include "app/channel_factory.h"
#include "app/database.h"
#include "notify/channel_store.h"
#include "observe/log.h"
#include "store/secret_box.h"

namespace vigil {
namespace {

constexpr const char* kChannel = "demo-webhook";

// The demo's key: the operator's, or one made now (kept in memory only) as
// 64 hex digits so the notifier can parse it again.
Result<std::string> DemoKeyText() {
  if (LoadSecretKey().ok()) return std::string();
  VIGIL_ASSIGN_OR_RETURN(SecretKey key, SecretKey::Generate());
  std::string text;
  static const char* kHex = "0123456789abcdef";
  for (size_t i = 0; i < SecretKey::kSize; ++i) {
    text += kHex[key.bytes()[i] >> 4];
    text += kHex[key.bytes()[i] & 15];
  }
  return text;
}

// "contoso: 45 opened" from a webhook message body.
std::string Describe(const SinkRequest& req) {
  const nlohmann::json body = nlohmann::json::parse(req.body, nullptr, false);
  if (!body.is_object()) return "(not JSON)";
  std::map<std::string, int> changes;
  for (const auto& n : body.value("notifications", nlohmann::json::array())) {
    ++changes[n.value("change", "?")];
  }
  std::string text = body.value("tenant", std::string("digest")) + ":";
  for (const auto& [change, count] : changes) text += " " + std::to_string(count) + " " + change;
  return text + (req.headers.count("x-vigil-signature") ? " (signed)" : "");
}

}  // namespace

Result<std::unique_ptr<DemoDelivery>> DemoDelivery::Start(Db* db, const std::string& db_path,
                                                          const Clock* clock) {
  std::unique_ptr<DemoDelivery> d(new DemoDelivery());
  d->db_ = db;
  VIGIL_ASSIGN_OR_RETURN(d->sink_, WebhookSink::Start());
  VIGIL_ASSIGN_OR_RETURN(std::string key_text, DemoKeyText());
  auto load_key = [key_text]() -> Result<SecretKey> {
    if (key_text.empty()) return LoadSecretKey();
    return SecretKey::Parse(key_text, "the demo's key");
  };
  VIGIL_ASSIGN_OR_RETURN(SecretKey key, load_key());
  if (Result<ChannelRow> old = GetChannel(db, kChannel); old.ok()) {
    VIGIL_RETURN_IF_ERROR(RemoveChannel(db, kChannel));
  }
  ChannelSpec spec;
  spec.name = kChannel;
  spec.kind = "webhook";
  spec.url = d->sink_->url();
  spec.signing_secret = "demo";
  spec.route.group_wait_ms = 0;
  spec.policy.max_per_second = 1000;  // each step's message at once
  spec.route.changes = {"opened", "reopened", "resolved", "severity_changed"};
  VIGIL_RETURN_IF_ERROR(OpenChannel(spec, clock).status());
  VIGIL_RETURN_IF_ERROR(AddChannel(db, spec, key, clock->NowMs()).status());
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Db> own, OpenDatabase(db_path));
  // The demo prints what was delivered; the notifier's log lines would
  // repeat it.
  SetLogLevel(LogLevel::kWarn);
  NotifierOptions options;
  options.worker = "demo";
  options.channels_refresh_ms = 0;
  d->notifier_ = std::make_unique<Notifier>(
      std::move(own), [clock](const ChannelSpec& s) { return OpenChannel(s, clock); }, load_key,
      clock, options);
  return d;
}

DemoDelivery::~DemoDelivery() = default;

Status DemoDelivery::Show(std::ostream& out) {
  VIGIL_RETURN_IF_ERROR(notifier_->RunOnce().status());
  for (const SinkRequest& req : sink_->TakeReceived()) {
    ++messages_;
    out << "  webhook message " << messages_ << ": " << Describe(req) << "\n";
  }
  return Status::Ok();
}

Status DemoDelivery::Finish(std::ostream& out) {
  // What a channel's rate limit held back from the last passes goes now.
  for (int i = 0; i < 50; ++i) {
    Result<std::vector<ChannelRow>> rows = ListChannels(db_);
    if (!rows.ok()) return rows.status();
    if (rows->empty() || rows->front().pending == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    VIGIL_RETURN_IF_ERROR(Show(out));
  }
  out << "  " << messages_ << " webhook messages in all, one per tenant and analysis, not one per "
      << "alert\n";
  return RemoveChannel(db_, kChannel);
}

}  // namespace vigil
