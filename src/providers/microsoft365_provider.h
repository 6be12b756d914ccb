// The `microsoft365` provider: syncs a Microsoft 365 tenant live over
// Microsoft Graph (providers/graph_client.h) with an app registration, and
// gives exactly the Snapshot the `graph_json` provider gives for a directory
// of the same responses (docs/ARCHITECTURE.md, "The Graph directory
// format"), so everything downstream is shared.
//
// Fetch reads the endpoints of the directory table, concurrently (at most
// GraphClientOptions::max_concurrent_requests requests in flight), each
// parsed with graph_parse.h page by page; page errors name the request and
// the page ("GET /v1.0/users page 3: value[3].accountEnabled: expected
// boolean"). Every kind gets an Availability entry:
//  - 403 on an endpoint: that kind is not available, with the reason
//      "userRegistrationDetails: permission missing: 403 Authorization_RequestDenied: ..."
//    and the rest of the sync goes on. A 404 for /groups: groups not
//    available ("groups: not found: 404 ...").
//  - Groups come with the members of their security groups
//    (providers/group_members.h): GET /groups/{id}/members?$select=id&$top=999
//    per security group, paged, on up to max_concurrent_requests threads
//    (every request through the same limiters and retries). A 403 or 404 for
//    one of them makes groups not available with the first such group's reason
//      "groupMembers/{id}: permission missing: 403 Authorization_RequestDenied: ..."
//      "groupMembers/{id}: not found: 404 Request_ResourceNotFound: ..."
//    (a group deleted since /groups was read: the next sync has it right),
//    never a group without members.
//  - 403 for /users with signInActivity (a tenant without Entra ID P1): the
//    users are read again without it; users available, EntityKind::kSignIn
//    not available ("signInActivity: permission missing: 403 ..."). Otherwise
//    kSignIn is available exactly when the users are.
//  - Any other failure (malformed, truncated or wrongly typed JSON, a body
//    above the HTTP client's limit, a paging loop, retries exhausted, the
//    token refused) fails the whole Fetch with a message naming the endpoint.
//
// Users are incremental through /users/delta. Snapshot::cursor (and
// options.cursor, the previous one) is this provider's JSON note
//   {"delta_link": "...", "full_at": <ms>, "sign_in_unavailable": "<reason>"}
//  - Full sync (no usable cursor — none, unreadable, or a delta link of
//    another Graph URL's origin —, no stored_users callback, or the last full
//    sync is full_sync_every_ms old — delta carries no signInActivity): first
//    GET /users/delta?$deltatoken=latest for a delta link (so no change made
//    during the full read is lost; a 400/403/404 there only means no delta
//    link), then the full /users read.
//  - Incremental sync: GET the stored delta link (paged), then merge with the
//    stored users (options.stored_users): a changed user replaces its stored
//    record but keeps the stored last_sign_in, "@removed" drops the user, a
//    new user is added (sign-in unknown until the next full sync). The
//    Snapshot is still a full one. A rejected link (410, and 400/403/404)
//    falls back to a full sync.
// Other kinds are always read in full (they are small), groups and their
// members included: every sync reads every security group's members again.
// Graph's paging and delta links may be relative: each is resolved against
// the request that returned it and must stay at the Graph URL's origin
// (GraphClient::FollowLink), so the stored delta link is absolute.
//
// Not thread-safe (Fetch runs its own threads); use one instance per thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "http/http_client.h"
#include "providers/graph_client.h"
#include "providers/provider.h"
#include "providers/records.h"

namespace vigil {

struct Microsoft365Options {
  GraphCredentials credentials;
  GraphClientOptions graph;  // URLs, retries, caps (clock: options.clock when null)
  HttpClientOptions http;    // for the libcurl client made when none is given

  // The Snapshot::cursor of the data source's last committed sync ("" = none).
  std::string cursor;
  // The data source's stored users (the app reads them from the database);
  // null: every sync is a full one.
  std::function<Result<std::vector<UserRecord>>()> stored_users;
  // A full users read at least this often (delta carries no sign-ins).
  int64_t full_sync_every_ms = int64_t{24} * 3600 * 1000;
  int users_page_size = 500;  // $top of /users (Graph allows up to 999)

  const Clock* clock = nullptr;  // the cursor's full_at; null: the system clock
};

// Whether a failed delta request (GraphClient::GetPages of /users/delta)
// is Graph refusing delta on purpose: the link expired (410) or delta is
// not usable for this app or tenant (400, 403, 404). The provider then reads
// the users in full; any other failure (no answer, a link that leads outside
// Graph, damaged JSON) fails the Fetch.
bool GraphDeltaRefused(const Status& status, const GraphError& error);

// InvalidArgument naming the problem for bad credentials or options
// (GraphClient::Create); the libcurl client's error when `http` is null and it
// cannot be made. `http` is shared: several providers may use one client.
Result<std::unique_ptr<Provider>> NewMicrosoft365Provider(
    Microsoft365Options options, std::shared_ptr<HttpClient> http = nullptr);

}  // namespace vigil
