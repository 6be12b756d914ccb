#include "testing/fake_channel_check.h"

#include <string>

namespace vigil::testing {
namespace {

Status Needs(const ChannelSpec& spec, const char* field) {
  return Status::InvalidArgument("fake check: " + spec.kind + " needs " + field);
}

}  // namespace

Status FakeChannelCheck::Check(const ChannelSpec& spec) {
  ++calls_;
  if (spec.kind == kChannelEmail) {
    if (spec.smtp_url.empty()) return Needs(spec, "smtp_url");
    if (spec.from.empty()) return Needs(spec, "from");
    if (spec.to.empty()) return Needs(spec, "to");
    return Status::Ok();
  }
  if (spec.kind == kChannelPagerDuty) {
    return spec.routing_key.empty() ? Needs(spec, "routing_key") : Status::Ok();
  }
  if (spec.url.empty()) return Needs(spec, "url");
  if (spec.kind == kChannelWebhook && spec.signing_secret.empty()) {
    return Needs(spec, "signing_secret");
  }
  return Status::Ok();
}

std::function<Status(const ChannelSpec&)> FakeChannelCheck::Hook(
    const std::shared_ptr<FakeChannelCheck>& check) {
  return [check](const ChannelSpec& spec) { return check->Check(spec); };
}

}  // namespace vigil::testing
