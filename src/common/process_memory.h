// How a vigil process uses malloc.
//
// glibc gives threads their own malloc arenas, and memory a thread frees
// stays in its arena. A sync allocates large, short-lived structures on more
// than one thread (users.json parsed on one, the other files on a helper);
// with an arena per thread, what one thread freed could not serve the next
// large allocation of another, and a resync held both resident: 1,052 bytes
// per entity at 100,000 users instead of 794 (docs/PERFORMANCE.md). One
// arena for the process lets every thread reuse what another freed; glibc's
// per-thread cache keeps small allocations off the arena's lock.
#pragma once

namespace vigil {

// Call first thing in main, before any thread starts. Harmless elsewhere.
void UseOneMallocArena();

}  // namespace vigil
