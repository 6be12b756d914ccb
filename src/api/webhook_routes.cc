#include "api/routes.h"

namespace vigil {

void AddWebhookRoutes(Router* /*router*/) {}

}  // namespace vigil
