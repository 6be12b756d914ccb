#include "api/routes.h"

namespace vigil {

void AddTenantRoutes(Router* /*router*/) {}

}  // namespace vigil
