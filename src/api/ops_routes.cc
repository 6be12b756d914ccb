#include "api/routes.h"

namespace vigil {

void AddOpsRoutes(Router* /*router*/) {}

}  // namespace vigil
