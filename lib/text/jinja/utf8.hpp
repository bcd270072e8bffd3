#pragma once
// UTF-8 helpers: Python strings index, slice and measure by code point, not by byte.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "text/unicode.hpp"

namespace nib::jinja {

using text::append_utf8;
// Code points of `s`; invalid bytes decode to themselves (as U+0080..U+00FF) so nothing is lost.
std::vector<std::uint32_t> decode_utf8(std::string_view s);
// Byte offset of each code point plus the end offset (size = code points + 1).
std::vector<std::size_t> codepoint_offsets(std::string_view s);
std::size_t codepoint_count(std::string_view s);

}  // namespace nib::jinja
