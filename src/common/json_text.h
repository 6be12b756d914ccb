// Small helpers for writing JSON text by hand on hot paths (entity attributes,
// finding details), where building a DOM would cost more than the work itself.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vigil {

// Appends `value` as a quoted JSON string, escaping quotes, backslashes and
// control characters. Bytes >= 0x80 are copied as they are (UTF-8 passes
// through). Text that needs no escape (NeedsJsonEscape) is copied whole.
void AppendJsonString(std::string* out, std::string_view value);

// Whether `value` holds a byte JSON must escape (a quote, a backslash or a
// control character): when not, it can be written between quotes as it is.
// Looks at eight bytes at a time.
bool NeedsJsonEscape(std::string_view value);

// `value` as a quoted JSON string.
std::string JsonQuote(std::string_view value);

}  // namespace vigil
