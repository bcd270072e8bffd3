#pragma once
// Template source -> tokens, with jinja2's whitespace rules as transformers configures them:
// trim_blocks (the first newline after a block or comment tag is dropped), lstrip_blocks
// (spaces and tabs before a block or comment tag at the start of a line are dropped), `-` and `+`
// markers on tags, no trailing newline kept, newlines normalised to "\n". Comments and
// `{% raw %}` are resolved here, so the parser only sees text, tags and expression tokens.
#include <cstdint>
#include <string>
#include <vector>

namespace nib::jinja {

struct Token {
  enum class Type { Text, VarBegin, VarEnd, BlockBegin, BlockEnd, Name, String, Int, Float, Op, End };
  Type type = Type::End;
  std::string text;  // Text / Name / Op spelling, String value (escapes decoded)
  std::int64_t int_value = 0;
  double float_value = 0;
  int line = 1;
};

const char* token_type_name(Token::Type type);

// Throws nib::Error(Status::Format) naming the line on unterminated tags, strings or bad characters.
std::vector<Token> tokenize(const std::string& source);

}  // namespace nib::jinja
