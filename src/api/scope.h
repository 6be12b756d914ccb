// Tenant scoping: every object a route returns belongs to one tenant, and a
// tenant token may see only its own. These helpers turn "does not exist" and
// "not yours" into the same 404, so an id that belongs to another tenant
// cannot be told from one that does not exist (no IDOR, no existence leak).
#pragma once

#include <optional>
#include <string>

#include "api/api_types.h"
#include "api/router.h"
#include "notify/channel_store.h"
#include "store/tenants.h"

namespace vigil {

// The tenant called `name` when the caller may see it; otherwise the 404
// "tenant \"name\" not found" (also for a name that is not valid).
std::optional<ApiResponse> ResolveTenant(const RouteCall& call, const std::string& name,
                                         TenantRow* out);

// The data source with the decimal id `id` when the caller may see its
// tenant; otherwise the 404 "data source <id> not found".
std::optional<ApiResponse> ResolveDataSource(const RouteCall& call, const std::string& id,
                                             DataSourceRow* out);

// The channel called `name` when the caller may see it -- an admin token
// every channel, a tenant token only the channels its tenant owns (not the
// MSP-wide ones, which route several tenants); otherwise the 404
// "channel \"name\" not found" (also for a name that is not valid).
std::optional<ApiResponse> ResolveChannel(const RouteCall& call, const std::string& name,
                                          ChannelRow* out);

// `text` as a positive decimal id, or none (so "7x", "-1", "" are not ids).
std::optional<int64_t> ParseId(const std::string& text);

// The ?limit= of a listing: the default when absent, 400 bad_request when it
// is not a number from 1 to limits.max_page_size.
std::optional<ApiResponse> PageSize(const ApiRequest& request, const RouteCall& call, int* out);

}  // namespace vigil
