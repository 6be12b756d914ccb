#include "events/nats_bus.h"

#include <nats/nats.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

namespace vigil {
namespace {

std::string NatsError(natsStatus s) {
  const char* last = nats_GetLastError(nullptr);
  std::string text = natsStatus_GetText(s);
  if (last != nullptr && *last != '\0' && text != last) text += " (" + std::string(last) + ")";
  return text;
}

Status Fail(const std::string& url, const std::string& what, natsStatus s) {
  const std::string message = "nats " + url + ": " + what + ": " + NatsError(s);
  switch (s) {
    case NATS_NO_SERVER:
    case NATS_CONNECTION_CLOSED:
    case NATS_CONNECTION_DISCONNECTED:
    case NATS_TIMEOUT:
    case NATS_IO_ERROR:
    case NATS_NO_RESPONDERS:
    case NATS_STALE_CONNECTION:
      return Status::Unavailable(message);
    default:
      return Status::Internal(message);
  }
}

std::string EncodeEvent(const Event& e) {
  nlohmann::json payload = nlohmann::json::parse(e.payload, nullptr, false);
  if (payload.is_discarded()) payload = e.payload;  // kept as text rather than lost
  return nlohmann::json{{"id", e.id},           {"type", e.type}, {"tenant_id", e.tenant_id},
                        {"trace_id", e.trace_id}, {"at", e.at},   {"payload", payload}}
      .dump();
}

std::optional<Event> DecodeEvent(const char* data, int length) {
  nlohmann::json j = nlohmann::json::parse(data, data + length, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  try {
    Event e;
    e.id = j.at("id").get<int64_t>();
    e.type = j.at("type").get<std::string>();
    e.tenant_id = j.at("tenant_id").get<int64_t>();
    e.trace_id = j.at("trace_id").get<std::string>();
    e.at = j.at("at").get<int64_t>();
    const nlohmann::json& p = j.at("payload");
    e.payload = p.is_string() ? p.get<std::string>() : p.dump();
    return e;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;  // not one of ours
  }
}

// What a subscription's callback needs. Owned by the bus (a callback may
// still be on its way when the subscription ends); `completed` is set by
// the library's on-complete callback, after the last message handler
// returned.
struct SubscriptionState {
  std::mutex mu;
  std::condition_variable done;
  bool active = true;
  bool completed = false;
  EventFilter filter;
  EventBus::Handler handler;
};

void OnMessage(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
  auto* state = static_cast<SubscriptionState*>(closure);
  std::optional<Event> event = DecodeEvent(natsMsg_GetData(msg), natsMsg_GetDataLength(msg));
  natsMsg_Destroy(msg);
  if (!event || !state->filter.Matches(*event)) return;
  std::lock_guard<std::mutex> lock(state->mu);
  if (state->active) state->handler(*event);
}

void OnComplete(void* closure) {
  auto* state = static_cast<SubscriptionState*>(closure);
  std::lock_guard<std::mutex> lock(state->mu);
  state->completed = true;
  state->done.notify_all();
}

class NatsSubscription final : public Subscription {
 public:
  NatsSubscription(natsSubscription* sub, SubscriptionState* state) : sub_(sub), state_(state) {}
  ~NatsSubscription() override {
    {
      std::lock_guard<std::mutex> lock(state_->mu);
      state_->active = false;  // no handler call after this returns
    }
    if (natsSubscription_Unsubscribe(sub_) == NATS_OK) {
      // Wait (briefly) for the library to be done with its callbacks.
      std::unique_lock<std::mutex> lock(state_->mu);
      state_->done.wait_for(lock, std::chrono::seconds(2), [this] { return state_->completed; });
    }
    natsSubscription_Destroy(sub_);
  }

 private:
  natsSubscription* sub_;
  SubscriptionState* state_;
};

class NatsBusImpl final : public NatsBus {
 public:
  explicit NatsBusImpl(NatsBusOptions options) : options_(std::move(options)) {}
  ~NatsBusImpl() override {
    if (js_ != nullptr) jsCtx_Destroy(js_);
    if (reader_js_ != nullptr) jsCtx_Destroy(reader_js_);
    if (conn_ != nullptr) {
      natsConnection_Close(conn_);
      natsConnection_Destroy(conn_);
    }
  }

  Status Open() {
    natsOptions* opts = nullptr;
    natsStatus s = natsOptions_Create(&opts);
    if (s == NATS_OK) s = natsOptions_SetURL(opts, options_.url.c_str());
    if (s == NATS_OK) s = natsOptions_SetTimeout(opts, options_.connect_timeout_ms);
    if (s == NATS_OK) s = natsOptions_SetMaxReconnect(opts, -1);
    if (s == NATS_OK) s = natsOptions_SetReconnectWait(opts, options_.reconnect_wait_ms);
    if (s == NATS_OK) s = natsOptions_SetReconnectBufSize(opts, 8 * 1024 * 1024);
    if (s == NATS_OK && !options_.require_server) {
      s = natsOptions_SetRetryOnFailedConnect(opts, true, OnConnected, nullptr);
    }
    if (s == NATS_OK) s = natsConnection_Connect(&conn_, opts);
    natsOptions_Destroy(opts);
    if (s == NATS_NOT_YET_CONNECTED) {
      stream_pending_ = options_.use_jetstream;  // made at the first Publish
      return Status::Ok();
    }
    if (s != NATS_OK) return Fail(options_.url, "connect", s);
    if (options_.use_jetstream) VIGIL_RETURN_IF_ERROR(OpenStream());
    return Status::Ok();
  }

  bool jetstream() const override { return js_ != nullptr; }

  Status Publish(const std::vector<Event>& events) override {
    std::lock_guard<std::mutex> lock(publish_mu_);
    if (stream_pending_) {
      if (natsConnection_Status(conn_) != NATS_CONN_STATUS_CONNECTED) {
        return Status::Unavailable("nats " + options_.url + ": not connected yet");
      }
      VIGIL_RETURN_IF_ERROR(OpenStream());
      stream_pending_ = false;
    }
    return js_ != nullptr ? PublishJetStream(events) : PublishCore(events);
  }

  Result<std::unique_ptr<Subscription>> Subscribe(const EventFilter& filter,
                                                  Handler handler) override {
    SubscriptionState* state = NewState(filter, std::move(handler));
    const std::string subject = NatsSubject(options_.subject_prefix, filter);
    natsSubscription* sub = nullptr;
    natsStatus s = natsConnection_Subscribe(&sub, conn_, subject.c_str(), OnMessage, state);
    if (s == NATS_OK) s = natsSubscription_SetOnCompleteCB(sub, OnComplete, state);
    if (s != NATS_OK) {
      if (sub != nullptr) {
        natsSubscription_Unsubscribe(sub);
        natsSubscription_Destroy(sub);
      }
      return Fail(options_.url, "subscribe to " + subject, s);
    }
    // The server knows the subscription once this returns, so a Publish
    // after Subscribe reaches it. Not connected yet: it is sent on connect.
    if (natsConnection_Status(conn_) == NATS_CONN_STATUS_CONNECTED) {
      s = natsConnection_FlushTimeout(conn_, options_.publish_timeout_ms);
    }
    std::unique_ptr<Subscription> handle = std::make_unique<NatsSubscription>(sub, state);
    if (s != NATS_OK) return Fail(options_.url, "subscribe to " + subject, s);
    return handle;
  }

  Result<std::unique_ptr<Subscription>> SubscribeFromStart(const EventFilter& filter,
                                                           Handler handler) override {
    const std::string subject = NatsSubject(options_.subject_prefix, filter);
    const std::string what = "read stream " + options_.stream + " from the start";
    jsCtx* js = nullptr;
    {
      std::lock_guard<std::mutex> lock(reader_mu_);
      if (reader_js_ == nullptr) {
        jsOptions jo;
        jsOptions_Init(&jo);
        jo.Wait = options_.publish_timeout_ms;
        natsStatus s = natsConnection_JetStream(&reader_js_, conn_, &jo);
        if (s != NATS_OK) return Fail(options_.url, what, s);
      }
      js = reader_js_;
    }
    jsStreamInfo* info = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    natsStatus s = js_GetStreamInfo(&info, js, options_.stream.c_str(), nullptr, &code);
    if (s == NATS_OK) jsStreamInfo_Destroy(info);
    if (s == NATS_NO_RESPONDERS || code == JSNotEnabledErr || code == JSNotEnabledForAccountErr) {
      return Status::FailedPrecondition("nats " + options_.url + ": " + what +
                                        ": the server has no JetStream, so it keeps no events");
    }
    if (code == JSStreamNotFoundErr) {
      return Status::FailedPrecondition("nats " + options_.url + ": " + what +
                                        ": there is no such stream (nothing was published "
                                        "to it yet)");
    }
    if (s != NATS_OK) return Fail(options_.url, what, s);

    SubscriptionState* state = NewState(filter, std::move(handler));
    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Stream = options_.stream.c_str();
    so.Ordered = true;  // ephemeral, no acks, each message once and in order
    so.Config.DeliverPolicy = js_DeliverAll;
    natsSubscription* sub = nullptr;
    s = js_Subscribe(&sub, js, subject.c_str(), OnMessage, state, nullptr, &so, &code);
    if (s == NATS_OK) s = natsSubscription_SetOnCompleteCB(sub, OnComplete, state);
    if (s != NATS_OK) {
      if (sub != nullptr) {
        natsSubscription_Unsubscribe(sub);
        natsSubscription_Destroy(sub);
      }
      return Fail(options_.url, what + " on " + subject + " (error " + std::to_string(code) + ")",
                  s);
    }
    return std::unique_ptr<Subscription>(std::make_unique<NatsSubscription>(sub, state));
  }

 private:
  // A new subscription's state, owned by the bus.
  SubscriptionState* NewState(const EventFilter& filter, Handler handler) {
    auto owned = std::make_unique<SubscriptionState>();
    SubscriptionState* state = owned.get();
    state->filter = filter;
    state->handler = std::move(handler);
    std::lock_guard<std::mutex> lock(states_mu_);
    states_.push_back(std::move(owned));
    return state;
  }

  static void OnConnected(natsConnection*, void*) {}

  Status OpenStream() {
    if (js_ != nullptr) {
      jsCtx_Destroy(js_);
      js_ = nullptr;
    }
    jsOptions jo;
    jsOptions_Init(&jo);
    jo.Wait = options_.publish_timeout_ms;
    natsStatus s = natsConnection_JetStream(&js_, conn_, &jo);
    if (s != NATS_OK) return Fail(options_.url, "jetstream", s);
    jsStreamInfo* info = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    s = js_GetStreamInfo(&info, js_, options_.stream.c_str(), nullptr, &code);
    if (s == NATS_OK) {
      jsStreamInfo_Destroy(info);
      return Status::Ok();
    }
    if (s == NATS_NO_RESPONDERS || code == JSNotEnabledErr || code == JSNotEnabledForAccountErr) {
      jsCtx_Destroy(js_);  // a core NATS server: publish without JetStream
      js_ = nullptr;
      return Status::Ok();
    }
    const std::string subjects = options_.subject_prefix + ".>";
    const char* subject_list[] = {subjects.c_str()};
    jsStreamConfig config;
    jsStreamConfig_Init(&config);
    config.Name = options_.stream.c_str();
    config.Subjects = subject_list;
    config.SubjectsLen = 1;
    config.Storage = js_FileStorage;
    config.Duplicates = options_.duplicate_window_ms * 1000 * 1000;  // ns
    s = js_AddStream(&info, js_, &config, nullptr, &code);
    if (s != NATS_OK) {
      return Fail(options_.url, "create stream " + options_.stream + " (error " +
                                    std::to_string(code) + ")",
                  s);
    }
    jsStreamInfo_Destroy(info);
    return Status::Ok();
  }

  Status PublishJetStream(const std::vector<Event>& events) {
    for (const Event& e : events) {
      const std::string subject = NatsSubject(options_.subject_prefix, e);
      const std::string body = EncodeEvent(e);
      const std::string id = std::to_string(e.id);
      jsPubOptions po;
      jsPubOptions_Init(&po);
      po.MsgId = id.c_str();
      po.MaxWait = options_.publish_timeout_ms;
      jsPubAck* ack = nullptr;
      jsErrCode code = static_cast<jsErrCode>(0);
      natsStatus s = js_Publish(&ack, js_, subject.c_str(), body.data(),
                                static_cast<int>(body.size()), &po, &code);
      jsPubAck_Destroy(ack);
      if (s != NATS_OK) return Fail(options_.url, "publish event " + id + " to " + subject, s);
    }
    return Status::Ok();
  }

  Status PublishCore(const std::vector<Event>& events) {
    for (const Event& e : events) {
      const std::string subject = NatsSubject(options_.subject_prefix, e);
      const std::string body = EncodeEvent(e);
      natsStatus s = natsConnection_Publish(conn_, subject.c_str(), body.data(),
                                            static_cast<int>(body.size()));
      if (s != NATS_OK) {
        return Fail(options_.url, "publish event " + std::to_string(e.id) + " to " + subject, s);
      }
    }
    natsStatus s = natsConnection_FlushTimeout(conn_, options_.publish_timeout_ms);
    return s == NATS_OK ? Status::Ok() : Fail(options_.url, "flush", s);
  }

  const NatsBusOptions options_;
  natsConnection* conn_ = nullptr;
  jsCtx* js_ = nullptr;
  std::mutex reader_mu_;
  jsCtx* reader_js_ = nullptr;  // for SubscribeFromStart; guarded by reader_mu_
  std::mutex publish_mu_;
  std::mutex states_mu_;
  // Every subscription's state, freed with the bus (after the connection).
  std::vector<std::unique_ptr<SubscriptionState>> states_;
  bool stream_pending_ = false;  // guarded by publish_mu_
};

}  // namespace

std::string NatsSubject(const std::string& prefix, const Event& event) {
  return prefix + "." + std::to_string(event.tenant_id) + "." + event.type;
}

std::string NatsSubject(const std::string& prefix, const EventFilter& filter) {
  std::string subject =
      prefix + "." + (filter.tenant_id != 0 ? std::to_string(filter.tenant_id) : "*") + ".";
  const std::string& type = filter.type;
  if (type.empty()) return subject + ">";
  if (type.size() >= 2 && type.compare(type.size() - 2, 2, ".*") == 0) {
    return subject + type.substr(0, type.size() - 1) + ">";
  }
  return subject + type;
}

Result<std::unique_ptr<NatsBus>> OpenNatsBus(const NatsBusOptions& options) {
  if (options.url.empty() || options.subject_prefix.empty() || options.stream.empty()) {
    return Status::InvalidArgument("open nats bus: url, subject_prefix and stream must be set");
  }
  if (options.publish_timeout_ms <= 0 || options.connect_timeout_ms <= 0 ||
      options.reconnect_wait_ms <= 0 || options.duplicate_window_ms <= 0) {
    return Status::InvalidArgument("open nats bus: timeouts and windows must be > 0");
  }
  auto bus = std::make_unique<NatsBusImpl>(options);
  VIGIL_RETURN_IF_ERROR(bus->Open());
  return std::unique_ptr<NatsBus>(std::move(bus));
}

}  // namespace vigil
