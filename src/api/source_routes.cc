#include "api/routes.h"

namespace vigil {

void AddSourceRoutes(Router* /*router*/) {}

}  // namespace vigil
