// PagerDutyChannel: the `pagerduty` kind. Sends PagerDuty Events API v2
// events, one POST per notification, to the channel's URL (PagerDuty's own
// endpoint when none is set):
//
//   trigger  {"routing_key": "<the channel's routing key>",
//             "event_action": "trigger",
//             "dedup_key": "vigil-<tenant id>-<alert id>",
//             "payload": {
//               "summary": "<tenant>: <alert type> <subject name>",  (<= 1024 bytes)
//               "source": "vigil/<tenant>",
//               "severity": "critical" | "error" | "warning" | "info",
//               "timestamp": "<the change's time, ISO 8601 UTC>",
//               "component": "<alert type>",
//               "group": "<tenant>",
//               "class": "<analysis type>",
//               "custom_details": {...the alert as `vigil alerts --json`
//                                  prints it}}}
//   resolve  {"routing_key": ..., "event_action": "resolve", "dedup_key": ...}
//
// Which change sends what (PagerDutyAction):
//   opened, reopened, severity_changed, updated, repeat   trigger
//   resolved                                              resolve
//   flapping, stable                                      nothing
// A flapping alert's incident stays as it is (open or resolved) while vigil
// holds its notifications back; `stable` says nothing PagerDuty needs, since
// the alert's next real change (a resolve, a reopen) is sent as usual.
// Severity: critical -> critical, high -> error, medium -> warning, low ->
// info (anything else -> warning).
//
// The dedup_key is the alert's own, the same for every change of it, so
// PagerDuty folds a trigger of an alert that already has an open incident
// into that incident and a resolve closes it.
//
// Deliver sends the group's events in its order and stops at the first one
// that is not accepted; the group's outcome is that event's (or kSent with
// the last answer when all were accepted; kSent with status 0 when the group
// holds nothing PagerDuty hears about). A retry resends the whole group:
// events accepted before are sent again, which PagerDuty deduplicates by
// dedup_key (a repeated trigger joins the open incident, a repeated resolve
// finds nothing left to close).
//
// PagerDuty answers 202 with {"status": "success", ...}; 400 for an invalid
// event (failed), 429 when throttled (retry); see notify/http_delivery.h.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "alerts/alert_row.h"
#include "common/clock.h"
#include "common/status.h"
#include "http/http_client.h"
#include "notify/channel.h"
#include "notify/channel_spec.h"
#include "notify/notification.h"

namespace vigil {

inline constexpr std::string_view kPagerDutyEventsUrl = "https://events.pagerduty.com/v2/enqueue";
inline constexpr size_t kPagerDutySummaryBytes = 1024;

// "trigger", "resolve", or "" (nothing is sent) for a change, as above.
std::string_view PagerDutyAction(std::string_view change);

// PagerDuty's severity for an alert severity, as above.
std::string_view PagerDutySeverity(std::string_view severity);

// "vigil-<tenant id>-<alert id>".
std::string PagerDutyDedupKey(const AlertRow& alert);

// The event body of `n` with `action` ("trigger" or "resolve").
std::string PagerDutyEventBody(const ChannelSpec& spec, const Notification& n,
                               std::string_view action);

// One JSON POST per notification of `group` that sends something, in the
// group's order, to spec.url (kPagerDutyEventsUrl when empty).
std::vector<HttpRequest> BuildPagerDutyRequests(const ChannelSpec& spec,
                                                const NotificationGroup& group);

// A PagerDuty channel sending through `client`, reading Retry-After dates
// with `clock` (neither owned; both outlive the channel). InvalidArgument
// "pagerduty channel: routing_key is required", "... url must be an http://
// or https:// URL" (when a url is set), or when client or clock is null.
Result<std::unique_ptr<Channel>> NewPagerDutyChannel(const ChannelSpec& spec, HttpClient* client,
                                                     const Clock* clock);

}  // namespace vigil
