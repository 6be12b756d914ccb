// How error messages name an SQL statement: briefly, by what it does and to
// which table, never by its text. A statement's text can be kilobytes long
// (a 64-row INSERT) and says nothing a user can act on; bound values would
// show data.
//
//   "INSERT INTO entities (...) VALUES (?, ...), ..." -> "INSERT INTO entities"
//   "UPDATE alerts SET ..."                           -> "UPDATE alerts"
//   "DELETE FROM links WHERE ..."                     -> "DELETE FROM links"
//   "SELECT a, b FROM tenants t JOIN ..."             -> "SELECT FROM tenants"
//   "WITH x AS (...) SELECT ..."                      -> "WITH"
//   "CREATE INDEX idx_a ON ..."                       -> "CREATE INDEX idx_a"
//   "BEGIN IMMEDIATE"                                 -> "BEGIN"
//
// Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace vigil {

// The statement's first keyword in upper case, with the table it writes or
// reads where that is plain (see above); "SQL statement" for an empty text.
std::string StatementName(std::string_view sql);

}  // namespace vigil
