// The users a data source's last committed sync left in the store, as
// records: what an incremental provider (microsoft365's /users/delta)
// merges its changes into, so its Snapshot is still a full one.
#pragma once

#include <cstdint>
#include <vector>

#include "common/status.h"
#include "providers/records.h"
#include "store/db.h"

namespace vigil {

// The live (not soft-deleted) user entities of the data source, decoded, in
// no particular order. One statement. A row that does not decode fails with
// the codec's message (it names the user).
Result<std::vector<UserRecord>> LoadStoredUsers(Db* db, int64_t data_source_id);

}  // namespace vigil
