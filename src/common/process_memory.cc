#include "common/process_memory.h"

#include <malloc.h>

namespace vigil {

void UseOneMallocArena() { mallopt(M_ARENA_MAX, 1); }

}  // namespace vigil
