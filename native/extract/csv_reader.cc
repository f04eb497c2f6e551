#include "extract/csv_reader.h"

namespace spotify_extract {

CsvReader::CsvReader(std::string_view text) : text_(text) {
  if (text_.substr(0, 3) == "\xEF\xBB\xBF") position_ = 3;
}

bool CsvReader::Next(std::vector<std::string>& fields) {
  fields.clear();
  if (position_ >= text_.size()) return false;
  ++line_;
  std::string field;
  bool quoted = false;  // inside a quoted part
  bool field_started = false;
  auto append = [&](char c) {
    if (field.size() >= kFieldLimit) {
      throw CsvError("field larger than field limit (" + std::to_string(kFieldLimit) + ")");
    }
    field.push_back(c);
  };
  auto end_field = [&] {
    fields.push_back(std::move(field));
    field.clear();
    field_started = false;
  };
  while (position_ < text_.size()) {
    char c = text_[position_++];
    if (quoted) {
      if (c == '"') {
        if (position_ < text_.size() && text_[position_] == '"') {
          append('"');
          ++position_;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n' || (c == '\r' && (position_ >= text_.size() || text_[position_] != '\n'))) {
          ++line_;
        }
        append(c);
      }
      continue;
    }
    if (c == ',') {
      end_field();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && position_ < text_.size() && text_[position_] == '\n') ++position_;
      end_field();
      return true;
    } else if (c == '"' && !field_started) {
      quoted = true;
      field_started = true;
    } else {
      field_started = true;
      append(c);
    }
  }
  if (quoted) throw CsvError("unexpected end of data");
  end_field();
  return true;
}

}  // namespace spotify_extract
