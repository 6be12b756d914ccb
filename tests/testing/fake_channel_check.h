// FakeChannelCheck: a stand-in for the channel kinds' own checks that
// `vigil serve` gives the API (ApiHooks::check_channel, which opens the
// channel with app/channel_factory.h; the API's tests do not link the app).
// It asks each kind for the fields it cannot work without and nothing more,
// with its own messages, and counts the specs it was asked about, so a test
// can tell that the check ran (and that it ran before anything was stored).
// Tests only.
#pragma once

#include <atomic>
#include <functional>
#include <memory>

#include "common/status.h"
#include "notify/channel_spec.h"

namespace vigil::testing {

class FakeChannelCheck {
 public:
  // InvalidArgument "fake check: <kind> needs <field>" for a missing url
  // (webhook, slack, teams, alertmanager), signing_secret (webhook),
  // routing_key (pagerduty), smtp_url, from or to (email); OK otherwise.
  Status Check(const ChannelSpec& spec);
  int calls() const { return calls_; }

  // The hook for ApiHooks::check_channel, calling (and sharing) `check`.
  static std::function<Status(const ChannelSpec&)> Hook(
      const std::shared_ptr<FakeChannelCheck>& check);

 private:
  std::atomic<int> calls_{0};
};

}  // namespace vigil::testing
