// NatsBus: the EventBus on NATS (libnats), for distributed mode.
//
// Subjects: "<prefix>.<tenant id>.<event type>", e.g. "vigil.7.alert.opened".
// The message body is the event as JSON: {"id", "type", "tenant_id",
// "trace_id", "at", "payload"} (payload the event's JSON object).
//
// Publish, with JetStream (the server runs with -js): events go to stream
// `stream` (subjects "<prefix>.>", created when missing, with a duplicate
// window of duplicate_window_ms), each with the header Nats-Msg-Id = the
// event's outbox id, so a re-publish after a crash is dropped by the server.
// Publish returns OK only after the server acknowledged every event (the
// relay marks them published only then). Without JetStream (a core NATS
// server, or use_jetstream false) events are published with core NATS and
// OK means the server has them (a flush); the outbox still keeps the record.
//
// Subscribe uses a core NATS subscription on the filter's subject (tenant
// or "*", type, or "alert.>" for "alert.*"), so subscribers see every
// published event live, in publish order from one publisher.
// SubscribeFromStart reads the stream instead, from its first message: a
// JetStream ordered consumer (ephemeral, no acks, deliver policy all, the
// filter's subject), which hands over every stored event once and in
// stream order and then goes on with new ones.
//
// Connection: reconnects forever (every reconnect_wait_ms) and buffers
// publishes meanwhile; a Publish while the server is away fails after
// publish_timeout_ms with Unavailable, and the relay tries again later.
// Errors name the server URL.
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "events/event_bus.h"

namespace vigil {

struct NatsBusOptions {
  std::string url = "nats://127.0.0.1:4222";
  std::string subject_prefix = "vigil";
  std::string stream = "VIGIL";
  bool use_jetstream = true;  // when the server has it
  int64_t duplicate_window_ms = 10 * 60 * 1000;
  int64_t connect_timeout_ms = 2000;
  int64_t publish_timeout_ms = 5000;
  int64_t reconnect_wait_ms = 500;
  // false: OpenNatsBus succeeds while the server is unreachable and keeps
  // connecting in the background (Publish is Unavailable until it
  // connects; the stream is made at the first Publish after that;
  // subscriptions made meanwhile start when it connects).
  bool require_server = true;
};

class NatsBus : public EventBus {
 public:
  // True when Publish goes through JetStream (acknowledged, deduplicated).
  virtual bool jetstream() const = 0;

  // As Subscribe, but `handler` first gets the events stream `stream` holds
  // on the filter's subject, oldest first, then the later ones (see the
  // top); works whether or not this bus publishes with JetStream.
  // FailedPrecondition naming the URL and the stream when the server has no
  // JetStream or the stream does not exist; Unavailable when the server
  // cannot be reached.
  virtual Result<std::unique_ptr<Subscription>> SubscribeFromStart(const EventFilter& filter,
                                                                   Handler handler) = 0;
};

// Connects and, with JetStream, makes sure the stream exists.
// InvalidArgument for bad options; Unavailable when the server cannot be
// reached (naming the URL) and require_server; the server's error when the
// stream cannot be made.
Result<std::unique_ptr<NatsBus>> OpenNatsBus(const NatsBusOptions& options);

// The subject of `event` under `prefix`, and of a filter (for tests and `vigil
// events`): "vigil.7.alert.opened"; "vigil.*.alert.>" for {0, "alert.*"}.
std::string NatsSubject(const std::string& prefix, const Event& event);
std::string NatsSubject(const std::string& prefix, const EventFilter& filter);

}  // namespace vigil
