#include "api/routes.h"

namespace vigil {

void AddAlertRoutes(Router* /*router*/) {}

}  // namespace vigil
