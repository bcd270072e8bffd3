#include "text/jinja/utf8.hpp"

namespace nib::jinja {

std::vector<std::uint32_t> decode_utf8(std::string_view s) {
  std::vector<std::uint32_t> out;
  for (std::size_t i = 0; i < s.size();) {
    if (text::utf8_sequence_length(s, i) == 1)  // ASCII, or a stray byte standing for itself
      out.push_back(static_cast<unsigned char>(s[i++]));
    else
      out.push_back(text::next_char(s, i));
  }
  return out;
}

std::vector<std::size_t> codepoint_offsets(std::string_view s) {
  std::vector<std::size_t> out;
  std::size_t i = 0;
  while (i < s.size()) {
    out.push_back(i);
    i += text::utf8_sequence_length(s, i);
  }
  out.push_back(s.size());
  return out;
}

std::size_t codepoint_count(std::string_view s) {
  return codepoint_offsets(s).size() - 1;
}

}  // namespace nib::jinja
