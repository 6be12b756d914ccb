#include "api/scope.h"

#include <charconv>

#include "api/api_env.h"

namespace vigil {

std::optional<int64_t> ParseId(const std::string& text) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || value <= 0) return std::nullopt;
  return value;
}

std::optional<ApiResponse> ResolveTenant(const RouteCall& call, const std::string& name,
                                         TenantRow* out) {
  const std::string what = "tenant \"" + name + "\"";
  if (!ValidateTenantName(name).ok()) return NotFoundResponse(what);
  Result<std::optional<TenantRow>> tenant = FindTenant(call.db, name);
  if (!tenant.ok()) return ErrorFromStatus(tenant.status());
  if (!tenant->has_value() || !call.principal->MaySee((*tenant)->id)) {
    return NotFoundResponse(what);
  }
  *out = **tenant;
  return std::nullopt;
}

std::optional<ApiResponse> ResolveDataSource(const RouteCall& call, const std::string& id,
                                             DataSourceRow* out) {
  const std::string what = "data source " + id;
  std::optional<int64_t> source_id = ParseId(id);
  if (!source_id) return NotFoundResponse(what);
  Result<DataSourceRow> source = GetDataSource(call.db, *source_id);
  if (!source.ok()) {
    if (source.status().code() == Code::kNotFound) return NotFoundResponse(what);
    return ErrorFromStatus(source.status());
  }
  if (!call.principal->MaySee(source->tenant_id)) return NotFoundResponse(what);
  *out = *source;
  return std::nullopt;
}

std::optional<ApiResponse> ResolveChannel(const RouteCall& call, const std::string& name,
                                          ChannelRow* out) {
  const std::string what = "channel \"" + name + "\"";
  if (!ValidateChannelName(name).ok()) return NotFoundResponse(what);
  Result<ChannelRow> channel = GetChannel(call.db, name);
  if (!channel.ok()) {
    if (channel.status().code() == Code::kNotFound) return NotFoundResponse(what);
    return ErrorFromStatus(channel.status());
  }
  const Principal& caller = *call.principal;
  if (!caller.admin() && channel->tenant_id != caller.tenant_id) return NotFoundResponse(what);
  *out = std::move(*channel);
  return std::nullopt;
}

std::optional<ApiResponse> PageSize(const ApiRequest& request, const RouteCall& call, int* out) {
  const ApiLimits& limits = call.env->limits;
  std::optional<std::string> text = request.Query("limit");
  if (!text) {
    *out = limits.default_page_size;
    return std::nullopt;
  }
  std::optional<int64_t> value = ParseId(*text);
  if (!value || *value > limits.max_page_size) {
    return ErrorResponse(400, api_error::kBadRequest,
                         "limit: \"" + *text + "\" is not a page size from 1 to " +
                             std::to_string(limits.max_page_size));
  }
  *out = static_cast<int>(*value);
  return std::nullopt;
}

}  // namespace vigil
