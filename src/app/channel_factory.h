// The channel kinds vigil ships (notify/channel_spec.h), opened by name:
// the only place that names them. Each HTTP kind gets its own libcurl
// client with the channel's timeout.
#pragma once

#include <memory>

#include "common/clock.h"
#include "common/status.h"
#include "notify/channel.h"
#include "notify/channel_spec.h"

namespace vigil {

// The channel of `spec`. InvalidArgument from the kind's own checks (a
// missing URL, a malformed address, ...) or for an unknown kind; the checks
// run before anything is stored (`vigil channel add`).
Result<std::unique_ptr<Channel>> OpenChannel(const ChannelSpec& spec, const Clock* clock);

}  // namespace vigil
