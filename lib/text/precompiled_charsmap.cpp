#include "text/precompiled_charsmap.hpp"

#include <utf8proc.h>
#include <cstring>

#include "text/components.hpp"
#include "text/unicode.hpp"

namespace nib::text {

std::string base64_decode(std::string_view in, const std::string& where) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
  };
  std::string out;
  out.reserve(in.size() * 3 / 4);
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=') break;
    if (c == '\n' || c == '\r') continue;
    int v = value(c);
    if (v < 0) format_error(where, "invalid base64 character");
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return out;
}

PrecompiledCharsmap::PrecompiledCharsmap(std::string_view blob, const std::string& where) {
  if (blob.size() < 4) format_error(where, "precompiled charsmap shorter than its header");
  std::uint32_t trie_bytes;
  std::memcpy(&trie_bytes, blob.data(), 4);  // little-endian, as written by sentencepiece
  if (trie_bytes % 4 != 0 || trie_bytes > blob.size() - 4 || trie_bytes == 0) {
    format_error(where, "precompiled charsmap has an invalid trie size");
  }
  trie_.resize(trie_bytes / 4);
  std::memcpy(trie_.data(), blob.data() + 4, trie_bytes);
  normalized_.assign(blob.substr(4 + trie_bytes));
}

std::optional<std::string_view> PrecompiledCharsmap::transform(std::string_view chunk) const {
  // darts-clone unit layout: label in bits 0-7 (+ bit 31), has_leaf bit 8, offset in bits 10-31.
  auto offset = [](std::uint32_t u) -> std::size_t { return (u >> 10) << ((u & (1u << 9)) >> 6); };
  std::size_t pos = 0;
  std::uint32_t unit = trie_[0];
  pos ^= offset(unit);
  for (char ch : chunk) {
    auto c = static_cast<unsigned char>(ch);
    if (c == 0) break;
    pos ^= c;
    if (pos >= trie_.size()) return std::nullopt;
    unit = trie_[pos];
    if ((unit & ((1u << 31) | 0xFF)) != c) return std::nullopt;
    pos ^= offset(unit);
    if (pos >= trie_.size()) return std::nullopt;
    if ((unit >> 8) & 1) {
      std::size_t begin = trie_[pos] & 0x7FFFFFFFu;
      if (begin >= normalized_.size()) return std::nullopt;
      std::size_t end = normalized_.find('\0', begin);
      if (end == std::string::npos) end = normalized_.size();
      auto replacement = std::string_view(normalized_).substr(begin, end - begin);
      // As sentencepiece's reader: a replacement that is not valid UTF-8 is not applied (it would
      // hand the models bytes that are not text).
      if (find_invalid_utf8(replacement) != std::string_view::npos) return std::nullopt;
      return replacement;
    }
  }
  return std::nullopt;
}

std::string PrecompiledCharsmap::normalize(std::string_view s) const {
  std::string out;
  out.reserve(s.size());
  auto emit_grapheme = [&](std::string_view g) {
    if (g.size() < 6) {
      if (auto norm = transform(g)) {
        out.append(*norm);
        return;
      }
    }
    for (std::size_t i = 0; i < g.size();) {
      std::size_t start = i;
      next_char(g, i);
      std::string_view part = g.substr(start, i - start);
      if (auto norm = transform(part)) {
        out.append(*norm);
      } else {
        out.append(part);
      }
    }
  };
  std::size_t g_start = 0;
  utf8proc_int32_t state = 0;
  char32_t prev = 0;
  for (std::size_t i = 0; i < s.size();) {
    std::size_t at = i;
    char32_t c = next_char(s, i);
    if (at > 0 && utf8proc_grapheme_break_stateful(static_cast<utf8proc_int32_t>(prev),
                                                   static_cast<utf8proc_int32_t>(c), &state)) {
      emit_grapheme(s.substr(g_start, at - g_start));
      g_start = at;
    }
    prev = c;
  }
  if (g_start < s.size()) emit_grapheme(s.substr(g_start));
  return out;
}

}  // namespace nib::text
