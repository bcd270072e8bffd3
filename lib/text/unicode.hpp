#pragma once
// UTF-8 and Unicode helpers shared by the tokenizer stages. Character classes follow Rust's
// `char` methods (what Hugging Face tokenizers calls), backed by utf8proc.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace nib::text {

// Byte length of the UTF-8 sequence that starts with lead byte b (1 for invalid leads).
inline std::size_t utf8_len(unsigned char b) {
  return b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 1;
}
// Byte length of the sequence at s[i]: its lead byte's length when the continuation bytes follow,
// else 1 (a stray byte).
inline std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  const std::size_t n = utf8_len(static_cast<unsigned char>(s[i]));
  if (i + n > s.size()) return 1;
  for (std::size_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 1;
  return n;
}
// Decodes the code point at s[i] (which must be valid UTF-8: the tokenizers check their input
// first, and this is their per-character loop) and advances i.
char32_t next_char(std::string_view s, std::size_t& i);
void append_utf8(std::string& out, char32_t c);
// Offset of the first invalid byte, or npos when s is valid UTF-8.
std::size_t find_invalid_utf8(std::string_view s);
// Length of the longest prefix of s made of complete, valid UTF-8 characters; `incomplete` is set
// when the rest is a valid but unfinished sequence (more bytes may complete it).
std::size_t complete_utf8_prefix(std::string_view s, bool& incomplete);
// Rust's String::from_utf8_lossy: each maximal invalid subpart becomes U+FFFD.
std::string utf8_lossy(std::string_view s);

bool is_whitespace(char32_t c);   // Unicode White_Space (Rust char::is_whitespace)
bool is_punctuation(char32_t c);  // ASCII punctuation or a Unicode P* category
bool is_numeric(char32_t c);      // Nd, Nl, No
bool is_alphanumeric(char32_t c);
bool is_control(char32_t c);         // Cc/Cf/Co/Cn/Cs except \t \n \r (BERT clean_text)
bool is_combining_mark(char32_t c);  // Mn
bool is_cjk(char32_t c);             // BERT's "Chinese character" blocks
// Rust char::to_lowercase (full mapping: U+0130 becomes "i\u0307").
void append_lowercase(std::string& out, char32_t c);

enum class NormForm { NFC, NFD, NFKC, NFKD };
std::string unicode_normalize(std::string_view s, NormForm form);

// GPT-2's byte <-> printable character table.
const std::string& byte_to_unicode(unsigned char b);
// Inverse: -1 when c is not one of the 256 characters.
int unicode_to_byte(char32_t c);

}  // namespace nib::text
