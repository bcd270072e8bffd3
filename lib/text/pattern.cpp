#include "text/pattern.hpp"

#include "text/components.hpp"

namespace nib::text {

Pattern::Pattern(const io::Json& j, const std::string& where) {
  if (!j.is_object()) format_error(where, std::string("expected a pattern object, got ") + j.type_name());
  if (j.contains("String")) {
    literal_ = string_member(j, "String", where);
  } else if (j.contains("Regex")) {
    regex_ = std::make_unique<Regex>(string_member(j, "Regex", where), where + ".Regex");
  } else {
    format_error(where, "expected a \"String\" or \"Regex\" pattern");
  }
}

void Pattern::find_all(std::string_view text, std::vector<Span>& out) const {
  if (regex_) return regex_->find_all(text, out);
  if (literal_.empty()) return;  // an empty literal never matches (Rust finds nothing useful)
  for (std::size_t pos = text.find(literal_); pos != std::string_view::npos;
       pos = text.find(literal_, pos + literal_.size())) {
    out.emplace_back(pos, pos + literal_.size());
  }
}

std::string Pattern::replace_all(std::string_view text, std::string_view content) const {
  std::vector<Span> spans;
  find_all(text, spans);
  if (spans.empty()) return std::string(text);
  std::string out;
  out.reserve(text.size());
  std::size_t prev = 0;
  for (auto [b, e] : spans) {
    out.append(text.substr(prev, b - prev));
    out.append(content);
    prev = e;
  }
  out.append(text.substr(prev));
  return out;
}

}  // namespace nib::text
