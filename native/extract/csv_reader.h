#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

// A reader of comma-separated values as Exportify writes them (RFC 4180): fields
// separated by ',', a field in double quotes may hold commas, quotes ("" is one) and line
// breaks; records end at "\n", "\r\n" or "\r". Lenient where Python's csv module is: a
// quote inside an unquoted field is kept, text after a closing quote joins the field.

namespace spotify_extract {

class CsvError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class CsvReader {
 public:
  // The largest field accepted (Python's csv.field_size_limit default).
  static constexpr size_t kFieldLimit = 131072;

  // `text` must outlive the reader; a leading UTF-8 byte order mark is skipped.
  explicit CsvReader(std::string_view text);

  // The next record into `fields`; false at the end. Throws CsvError (a field larger
  // than kFieldLimit, the text ending inside a quoted field).
  bool Next(std::vector<std::string>& fields);
  // The line the last record ended on, counted from 1.
  int line() const { return line_; }

 private:
  std::string_view text_;
  size_t position_ = 0;
  int line_ = 0;
};

}  // namespace spotify_extract
