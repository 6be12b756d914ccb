// The migrations' SQL, kept apart from the code that applies them
// (store/migrations.cc) in files by range of versions. Each Append* adds
// its migrations in ascending order of version; ListMigrations in
// migrations.cc calls them in order.
#pragma once

#include <vector>

#include "store/migrations.h"

namespace vigil {

void AppendMigrations1To8(std::vector<Migration>* out);  // store/migrations_v1_v8.cc
void AppendMigrations9On(std::vector<Migration>* out);   // store/migrations_v9_on.cc

}  // namespace vigil
