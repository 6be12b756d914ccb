// Secrets given in files (--client-secret-file, --url-file, ...), so they
// never appear in a command line or a shell history.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace vigil {

// The secret in the file at `path` (a regular file, or a pipe such as
// /dev/stdin) without its trailing newline: one line, at most 64 KiB.
// Errors name the flag and the path and say what the file must hold ("the
// client secret"): "--url-file F is empty; it must hold the webhook URL".
// The caller scrubs the result (ScrubString).
// `multi_line`: the file may hold several lines (a JSON key file).
Result<std::string> ReadSecretFile(std::string_view flag, const std::string& path,
                                   std::string_view what, bool multi_line = false);

}  // namespace vigil
