#include "text/jinja/lexer.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string_view>

#include "text/jinja/errors.hpp"
#include "text/jinja/utf8.hpp"

namespace nib::jinja {

namespace {

// A float literal as Python's float() reads it: beyond double's range it is inf (too large) or 0.0
// (too small), not an error. std::from_chars reports both as out of range; the decimal order of
// magnitude (digits before the point, plus the exponent) tells which.
double float_literal(const std::string& text) {
  double v = 0;
  const char* end = text.data() + text.size();
  if (std::from_chars(text.data(), end, v).ec != std::errc::result_out_of_range) return v;
  const std::size_t e = std::min(text.find_first_of("eE"), text.size());
  const std::size_t first = text.find_first_of("123456789");
  if (first >= e) return 0.0;
  const auto order =
      static_cast<std::int64_t>(std::min(text.find('.'), e)) - static_cast<std::int64_t>(first);
  std::int64_t exp = 0;
  if (e < text.size()) {
    const char* b = text.data() + e + 1;
    const bool negative = *b == '-';
    if (*b == '+' || *b == '-') ++b;
    if (std::from_chars(b, end, exp).ec != std::errc()) exp = std::int64_t{1} << 40;  // saturate
    if (negative) exp = -exp;
  }
  return order + exp > 0 ? HUGE_VAL : 0.0;
}

}  // namespace

const char* token_type_name(Token::Type type) {
  switch (type) {
    case Token::Type::Text: return "text";
    case Token::Type::VarBegin: return "'{{'";
    case Token::Type::VarEnd: return "'}}'";
    case Token::Type::BlockBegin: return "'{%'";
    case Token::Type::BlockEnd: return "'%}'";
    case Token::Type::Name: return "name";
    case Token::Type::String: return "string";
    case Token::Type::Int: return "integer";
    case Token::Type::Float: return "float";
    case Token::Type::Op: return "operator";
    case Token::Type::End: return "end of template";
  }
  return "token";
}

namespace {

bool is_space(char c) {
  return c == ' ' || (c >= '\t' && c <= '\r') || (c >= '\x1c' && c <= '\x1f');
}

// Python's str.splitlines() + "\n".join(): every line break becomes "\n" and one final line
// break is dropped (keep_trailing_newline=False).
std::string normalize_newlines(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '\r') {
      if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
      out += '\n';
    } else if (c == '\n' || c == '\v' || c == '\f' || (c >= 0x1c && c <= 0x1e)) {
      out += '\n';
    } else if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x85) {
      out += '\n';
      ++i;
    } else if (c == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
               (static_cast<unsigned char>(s[i + 2]) == 0xA8 ||
                static_cast<unsigned char>(s[i + 2]) == 0xA9)) {
      out += '\n';
      i += 2;
    } else {
      out += static_cast<char>(c);
    }
  }
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

// Python "unicode-escape" decoding of a string literal's body (what jinja2 applies).
std::string unescape(std::string_view body, int line) {
  std::string out;
  for (std::size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c != '\\' || i + 1 >= body.size()) {
      out += c;
      continue;
    }
    char e = body[++i];
    auto hex = [&](std::size_t n) {
      if (i + n >= body.size()) fail_syntax(line, "truncated escape in string");
      std::uint32_t cp = 0;
      auto digits = body.substr(i + 1, n);
      auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), cp, 16);
      if (ec != std::errc() || p != digits.data() + digits.size() || digits.size() != n) {
        fail_syntax(line, "invalid \\" + std::string(1, e) + " escape in string");
      }
      i += n;
      append_utf8(out, cp);
    };
    switch (e) {
      case '\n': break;
      case '\\': out += '\\'; break;
      case '\'': out += '\''; break;
      case '"': out += '"'; break;
      case 'a': out += '\a'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'v': out += '\v'; break;
      case 'x': hex(2); break;
      case 'u': hex(4); break;
      case 'U': hex(8); break;
      default:
        if (e >= '0' && e <= '7') {
          std::uint32_t cp = static_cast<std::uint32_t>(e - '0');
          for (int k = 0; k < 2 && i + 1 < body.size() && body[i + 1] >= '0' && body[i + 1] <= '7'; ++k) {
            cp = cp * 8 + static_cast<std::uint32_t>(body[++i] - '0');
          }
          append_utf8(out, cp);
        } else {
          out += '\\';
          out += e;
        }
    }
  }
  return out;
}

class Lexer {
 public:
  explicit Lexer(std::string source) : src_(std::move(source)) {}

  std::vector<Token> run() {
    std::size_t pos = 0;
    while (pos < src_.size()) {
      std::size_t tag = src_.find('{', pos);
      while (tag != std::string::npos &&
             (tag + 1 >= src_.size() ||
              (src_[tag + 1] != '{' && src_[tag + 1] != '%' && src_[tag + 1] != '#'))) {
        tag = src_.find('{', tag + 1);
      }
      if (tag == std::string::npos) {
        emit_text(pos, src_.size());
        break;
      }
      char kind = src_[tag + 1];
      char sign = tag + 2 < src_.size() ? src_[tag + 2] : '\0';
      if (sign != '-' && sign != '+') sign = '\0';
      std::string text = src_.substr(pos, tag - pos);
      strip_before(text, pos, kind, sign);
      emit_text(text, pos);
      std::size_t inner = tag + 2 + (sign ? 1 : 0);
      if (kind == '#') {
        pos = skip_comment(tag, inner);
      } else if (kind == '%' && is_raw(inner)) {
        pos = lex_raw(tag, inner);
      } else {
        pos = lex_tag(tag, inner, kind == '{');
      }
    }
    tokens_.push_back(make(Token::Type::End, "", src_.size()));
    return std::move(tokens_);
  }

 private:
  int line_at(std::size_t pos) {
    for (; line_pos_ < pos && line_pos_ < src_.size(); ++line_pos_) {
      if (src_[line_pos_] == '\n') ++line_;
    }
    return line_;
  }

  Token make(Token::Type type, std::string text, std::size_t pos) {
    Token t;
    t.type = type;
    t.text = std::move(text);
    t.line = line_at(pos);
    return t;
  }

  void emit_text(std::size_t from, std::size_t to) { emit_text(src_.substr(from, to - from), from); }
  void emit_text(std::string text, std::size_t pos) {
    if (!text.empty()) tokens_.push_back(make(Token::Type::Text, std::move(text), pos));
  }

  // `{%-` strips all whitespace before the tag; otherwise lstrip_blocks drops the spaces and tabs
  // that open the tag's line (not for `{{` or `{%+`).
  void strip_before(std::string& text, std::size_t text_start, char kind, char sign) const {
    if (sign == '-') {
      while (!text.empty() && is_space(text.back())) text.pop_back();
      return;
    }
    if (sign == '+' || kind == '{') return;
    std::size_t l_pos = text.rfind('\n');
    l_pos = l_pos == std::string::npos ? 0 : l_pos + 1;
    bool line_start = l_pos > 0 || text_start == 0 || src_[text_start - 1] == '\n';
    if (!line_start || l_pos == text.size()) return;
    for (std::size_t i = l_pos; i < text.size(); ++i) {
      if (!is_space(text[i])) return;
    }
    text.resize(l_pos);
  }

  // After a block or comment end: `-` strips all following whitespace, `+` keeps it, otherwise
  // trim_blocks drops one newline. Returns the position after the tag end and its whitespace.
  std::size_t after_block_end(std::size_t end_pos, char marker) const {
    if (marker == '-') {
      while (end_pos < src_.size() && is_space(src_[end_pos])) ++end_pos;
    } else if (marker != '+' && end_pos < src_.size() && src_[end_pos] == '\n') {
      ++end_pos;
    }
    return end_pos;
  }

  std::size_t skip_comment(std::size_t tag, std::size_t inner) {
    std::size_t end = src_.find("#}", inner);
    if (end == std::string::npos) fail_syntax(line_at(tag), "missing end of comment tag");
    char marker = end > inner && (src_[end - 1] == '-' || src_[end - 1] == '+') ? src_[end - 1] : '\0';
    return after_block_end(end + 2, marker);
  }

  std::size_t skip_spaces(std::size_t p) const {
    while (p < src_.size() && is_space(src_[p])) ++p;
    return p;
  }

  bool word_at(std::size_t p, std::string_view word) const {
    return src_.compare(p, word.size(), word) == 0 &&
           (p + word.size() >= src_.size() ||
            !(std::isalnum(static_cast<unsigned char>(src_[p + word.size()])) ||
              src_[p + word.size()] == '_'));
  }

  // Position after a `%}` (with optional marker) at p, or npos.
  std::size_t block_end_at(std::size_t p, char& marker) const {
    marker = '\0';
    if (p < src_.size() && (src_[p] == '-' || src_[p] == '+')) marker = src_[p++];
    if (src_.compare(p, 2, "%}") != 0) return std::string::npos;
    return p + 2;
  }

  bool is_raw(std::size_t inner) const {
    std::size_t p = skip_spaces(inner);
    if (!word_at(p, "raw")) return false;
    char marker;
    return block_end_at(skip_spaces(p + 3), marker) != std::string::npos;
  }

  // `{% raw %}...{% endraw %}`: the body is text, with the tags' whitespace rules applied.
  std::size_t lex_raw(std::size_t tag, std::size_t inner) {
    char marker;
    std::size_t body = block_end_at(skip_spaces(skip_spaces(inner) + 3), marker);
    body = after_block_end(body, marker);
    for (std::size_t p = src_.find("{%", body); p != std::string::npos; p = src_.find("{%", p + 2)) {
      char sign = p + 2 < src_.size() && (src_[p + 2] == '-' || src_[p + 2] == '+') ? src_[p + 2] : '\0';
      std::size_t q = skip_spaces(p + 2 + (sign ? 1 : 0));
      if (!word_at(q, "endraw")) continue;
      std::size_t end = block_end_at(skip_spaces(q + 6), marker);
      if (end == std::string::npos) continue;
      std::string text = src_.substr(body, p - body);
      strip_before(text, body, '%', sign);
      emit_text(text, body);
      return after_block_end(end, marker);
    }
    fail_syntax(line_at(tag), "missing endraw for raw block");
  }

  std::size_t lex_tag(std::size_t tag, std::size_t p, bool is_var) {
    tokens_.push_back(make(is_var ? Token::Type::VarBegin : Token::Type::BlockBegin, "", tag));
    int depth = 0;
    while (true) {
      p = skip_spaces(p);
      if (p >= src_.size()) fail_syntax(line_at(tag), is_var ? "missing '}}'" : "missing '%}'");
      if (depth == 0) {
        if (is_var) {
          if (src_.compare(p, 3, "-}}") == 0) {
            tokens_.push_back(make(Token::Type::VarEnd, "", p));
            return skip_spaces(p + 3);
          }
          if (src_.compare(p, 2, "}}") == 0) {
            tokens_.push_back(make(Token::Type::VarEnd, "", p));
            return p + 2;
          }
        } else {
          char marker;
          std::size_t end = block_end_at(p, marker);
          if (end != std::string::npos) {
            tokens_.push_back(make(Token::Type::BlockEnd, "", p));
            return after_block_end(end, marker);
          }
        }
      }
      p = lex_expression_token(p, depth);
    }
  }

  std::size_t lex_expression_token(std::size_t p, int& depth) {
    char c = src_[p];
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      std::size_t e = p;
      while (e < src_.size() && (std::isalnum(static_cast<unsigned char>(src_[e])) || src_[e] == '_')) ++e;
      tokens_.push_back(make(Token::Type::Name, src_.substr(p, e - p), p));
      return e;
    }
    if (std::isdigit(static_cast<unsigned char>(c))) return lex_number(p);
    if (c == '\'' || c == '"') return lex_string(p);
    static constexpr std::string_view two[] = {"//", "**", "==", "!=", ">=", "<="};
    for (auto op : two) {
      if (src_.compare(p, 2, op) == 0) {
        tokens_.push_back(make(Token::Type::Op, std::string(op), p));
        return p + 2;
      }
    }
    if (std::string_view("+-*/%~<>=.,:|()[]{}").find(c) == std::string_view::npos) {
      fail_syntax(line_at(p), "unexpected character '" + std::string(1, c) + "'");
    }
    if (c == '(' || c == '[' || c == '{') ++depth;
    if ((c == ')' || c == ']' || c == '}') && depth > 0) --depth;
    tokens_.push_back(make(Token::Type::Op, std::string(1, c), p));
    return p + 1;
  }

  std::size_t lex_number(std::size_t p) {
    std::size_t e = p;
    auto digits = [&] {
      while (e < src_.size() && (std::isdigit(static_cast<unsigned char>(src_[e])) ||
                                 (src_[e] == '_' && e + 1 < src_.size() &&
                                  std::isdigit(static_cast<unsigned char>(src_[e + 1]))))) {
        ++e;
      }
    };
    digits();
    bool is_float = false;
    if (e + 1 < src_.size() && src_[e] == '.' && std::isdigit(static_cast<unsigned char>(src_[e + 1]))) {
      is_float = true;
      ++e;
      digits();
    }
    if (e < src_.size() && (src_[e] == 'e' || src_[e] == 'E')) {
      std::size_t x = e + 1;
      if (x < src_.size() && (src_[x] == '+' || src_[x] == '-')) ++x;
      if (x < src_.size() && std::isdigit(static_cast<unsigned char>(src_[x]))) {
        is_float = true;
        e = x;
        digits();
      }
    }
    std::string text;
    for (std::size_t i = p; i < e; ++i) {
      if (src_[i] != '_') text += src_[i];
    }
    Token t = make(is_float ? Token::Type::Float : Token::Type::Int, text, p);
    if (is_float) {
      t.float_value = float_literal(text);
    } else {
      auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), t.int_value);
      if (ec != std::errc()) fail_syntax(t.line, "integer literal out of range: " + text);
    }
    tokens_.push_back(std::move(t));
    return e;
  }

  std::size_t lex_string(std::size_t p) {
    char quote = src_[p];
    std::size_t e = p + 1;
    while (e < src_.size() && src_[e] != quote) {
      if (src_[e] == '\\') ++e;
      ++e;
    }
    if (e >= src_.size()) fail_syntax(line_at(p), "unterminated string literal");
    int line = line_at(p);
    Token t = make(Token::Type::String, unescape(std::string_view(src_).substr(p + 1, e - p - 1), line), p);
    tokens_.push_back(std::move(t));
    return e + 1;
  }

  std::string src_;
  std::vector<Token> tokens_;
  std::size_t line_pos_ = 0;
  int line_ = 1;
};

}  // namespace

std::vector<Token> tokenize(const std::string& source) {
  return Lexer(normalize_newlines(source)).run();
}

}  // namespace nib::jinja
