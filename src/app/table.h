// A plain text table with aligned columns, for the CLI's human output.
#pragma once

#include <string>
#include <vector>

namespace vigil {

class Table {
 public:
  explicit Table(std::vector<std::string> header) : rows_{std::move(header)} {}
  void AddRow(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  // Columns separated by two spaces, padded to the widest cell; the last
  // column is not padded. One line per row, header first.
  std::string Render() const;

 private:
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace vigil
