#include "store/statement_name.h"

#include <cctype>

namespace vigil {
namespace {

// Splits `sql` into words: identifiers and keywords (letters, digits, '_',
// '.', a quoted name without its quotes); anything else separates them.
class Words {
 public:
  explicit Words(std::string_view sql) : sql_(sql) {}

  // The next word, or "" at the end.
  std::string Next() {
    while (pos_ < sql_.size() && !IsWordStart(sql_[pos_])) ++pos_;
    if (pos_ >= sql_.size()) return "";
    if (sql_[pos_] == '"' || sql_[pos_] == '`') {
      const char quote = sql_[pos_++];
      const size_t end = sql_.find(quote, pos_);
      std::string word(sql_.substr(pos_, end - pos_));
      pos_ = end == std::string_view::npos ? sql_.size() : end + 1;
      return word;
    }
    const size_t start = pos_;
    while (pos_ < sql_.size() && IsWordChar(sql_[pos_])) ++pos_;
    return std::string(sql_.substr(start, pos_ - start));
  }

  // The word after the next `keyword` (any case), or "".
  std::string After(std::string_view keyword) {
    for (std::string word = Next(); !word.empty(); word = Next()) {
      if (Upper(word) == keyword) return Next();
    }
    return "";
  }

  static std::string Upper(std::string word) {
    for (char& c : word) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return word;
  }

 private:
  static bool IsWordChar(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
  }
  static bool IsWordStart(char c) { return IsWordChar(c) || c == '"' || c == '`'; }

  std::string_view sql_;
  size_t pos_ = 0;
};

}  // namespace

std::string StatementName(std::string_view sql) {
  Words words(sql);
  const std::string verb = Words::Upper(words.Next());
  if (verb.empty()) return "SQL statement";
  auto with = [&verb](const std::string& middle, const std::string& table) {
    return table.empty() ? verb : verb + middle + table;
  };
  if (verb == "INSERT" || verb == "REPLACE") return with(" INTO ", words.After("INTO"));
  if (verb == "DELETE" || verb == "SELECT") return with(" FROM ", words.After("FROM"));
  if (verb == "UPDATE") return with(" ", words.Next());
  if (verb == "CREATE" || verb == "DROP" || verb == "ALTER") {
    // "CREATE UNIQUE INDEX IF NOT EXISTS idx ON ..." -> "CREATE INDEX idx".
    std::string kind = Words::Upper(words.Next());
    while (kind == "UNIQUE" || kind == "TEMP" || kind == "TEMPORARY") {
      kind = Words::Upper(words.Next());
    }
    std::string name = words.Next();
    while (Words::Upper(name) == "IF" || Words::Upper(name) == "NOT" ||
           Words::Upper(name) == "EXISTS") {
      name = words.Next();
    }
    return with(" " + kind + " ", kind.empty() ? "" : name);
  }
  return verb;
}

}  // namespace vigil
