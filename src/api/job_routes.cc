#include "api/routes.h"

namespace vigil {

void AddJobRoutes(Router* /*router*/) {}

}  // namespace vigil
