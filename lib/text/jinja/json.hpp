#pragma once
// JSON in and out of the interpreter: messages/tools/variables come in as JSON (object key order
// kept), and `tojson` writes exactly what Python's json.dumps writes.
#include <optional>
#include <string>
#include <string_view>

#include "text/jinja/value.hpp"

namespace nib::jinja {

// Parses JSON text into a Value (objects keep their key order). Throws nib::Error(Status::Format)
// naming `what` when the text is not valid JSON.
Value parse_json_value(std::string_view text, const std::string& what);

// json.dumps(x, ensure_ascii, indent, separators, sort_keys).
struct JsonStyle {
  bool ensure_ascii = false;
  std::optional<std::string> indent;          // the string repeated per level; nullopt = one line
  std::optional<std::string> item_separator;  // default ", " (or "," with indent)
  std::string key_separator = ": ";
  bool sort_keys = false;
};
std::string to_json(const Value& v, const JsonStyle& style);

}  // namespace nib::jinja
