// The `graph_json` provider: reads a directory of Microsoft Graph response
// bodies, one file per endpoint (docs/ARCHITECTURE.md, "The Graph
// directory format"; KindFile gives each kind's file name).
//
// Fetch reads every file of the table. A missing file marks its kind not
// available with the reason "<file> is missing" (never an empty list);
// groups.json is optional the same way. With groups.json come the members
// of its security groups, groupMembers/{id}.json each (group_members.h): a
// missing one makes groups not available ("groupMembers/{id}.json is
// missing"), as their members are unknown; the members files of other
// groups are not read. A security group's id that cannot name a file fails
// the Fetch ("groups.json: group id ... cannot name a file of
// groupMembers/"). Present files are parsed with
// graph_parse.h; any parse error fails the whole Fetch with that message
// ("users.json: value[3].accountEnabled: expected boolean"). An unreadable
// file fails with IoError naming its path; a file above
// options.max_file_bytes fails with InvalidArgument naming file and size
// before it is read.
//
// Fetch reads with two threads: users.json (by far the largest file) on the
// calling one, the other files on a helper. The data, and the error when
// several files are bad (the first kind in kAllKinds order), do not depend
// on which thread is faster.
//
// Not thread-safe: use one instance per thread.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "providers/graph_parse.h"
#include "providers/provider.h"

namespace vigil {

struct GraphDirOptions {
  // Files larger than this are refused.
  uint64_t max_file_bytes = kDefaultMaxGraphFileBytes;
};

// A provider reading `dir`. Fails with NotFound naming the directory when it
// does not exist or is not a directory. Fetch fails the same way if the
// directory disappears later.
Result<std::unique_ptr<Provider>> NewGraphDirProvider(std::string dir,
                                                      GraphDirOptions options = {});

}  // namespace vigil
