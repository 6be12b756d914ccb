// The files of a directory of JSON answers (the graph_json and google_json
// providers and their writers): the checks and messages they share.
#pragma once

#include <simdjson.h>

#include <string>

#include "common/status.h"
#include "providers/graph_parse.h"

namespace vigil {

// OK when `dir` is a directory; NotFound "directory DIR does not exist" or
// "DIR is not a directory" otherwise.
Status CheckDirectory(const std::string& dir);

// Reads `file` (relative to `dir`) into `body`; *present is false, and
// nothing is read, when it does not exist. IoError naming the path when it
// is not a regular file or cannot be read; InvalidArgument naming `file`
// and its size (CheckGraphFileSize) when it is above options.max_file_bytes,
// before it is read.
Status LoadJsonFile(const std::string& dir, const std::string& file,
                    const GraphParseOptions& options, simdjson::padded_string* body, bool* present);

// Writes `body` to "<path>.tmp" and renames it into place, so a reader sees
// the old file or the new one, never a part. IoError naming the path when
// it cannot be created, written or renamed (the .tmp file is removed).
Status WriteFileAtomically(const std::string& path, const std::string& body);

}  // namespace vigil
