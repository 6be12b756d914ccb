// DemoDelivery: the delivery part of `vigil demo`. It starts a webhook sink
// on 127.0.0.1, adds a webhook channel "demo-webhook" to it (group wait 0),
// and after each step runs a notifier pass and prints what the sink
// received: one message per tenant and change set, not one per alert. At
// the end the channel is removed (the sink goes away with the demo); its
// delivery log stays (`vigil notifications`).
//
// The channel's secrets are sealed with VIGIL_SECRET_KEY when it is set,
// otherwise with a key made for this run only.
#pragma once

#include <iosfwd>
#include <memory>
#include <string>

#include "app/webhook_sink.h"
#include "common/clock.h"
#include "notify/notifier.h"
#include "store/db.h"

namespace vigil {

class DemoDelivery {
 public:
  // Starts the sink, adds the channel through `db` and opens the notifier's
  // own connection to `db_path`. The error says what failed.
  static Result<std::unique_ptr<DemoDelivery>> Start(Db* db, const std::string& db_path,
                                                     const Clock* clock);
  ~DemoDelivery();

  // Runs a notifier pass and prints each message the sink received.
  Status Show(std::ostream& out);
  // Removes the demo's channel.
  Status Finish(std::ostream& out);

 private:
  DemoDelivery() = default;

  Db* db_ = nullptr;
  std::unique_ptr<WebhookSink> sink_;
  std::unique_ptr<Notifier> notifier_;
  int messages_ = 0;
};

}  // namespace vigil
