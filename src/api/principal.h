// Principal: who is calling the API, as its bearer token says. A tenant
// token sees only its own tenant; an admin token sees every tenant and may
// use the admin-only routes (creating tenants).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace vigil {

struct Principal {
  int64_t token_id = 0;
  std::string token_name;
  std::optional<int64_t> tenant_id;  // none: an admin token

  bool admin() const { return !tenant_id.has_value(); }
  // Whether this principal may see objects of tenant `id`.
  bool MaySee(int64_t id) const { return admin() || *tenant_id == id; }
};

}  // namespace vigil
