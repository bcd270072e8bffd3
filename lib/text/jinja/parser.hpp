#pragma once
// Tokens -> AST, following jinja2's grammar and operator precedence (filters and tests bind
// tighter than arithmetic: `'a' + x | trim` is `'a' + (x | trim)`).
#include <vector>

#include "text/jinja/ast.hpp"
#include "text/jinja/lexer.hpp"

namespace nib::jinja {

// Throws nib::Error(Status::Format) with the line on syntax errors, unknown tags, unclosed blocks
// or nesting deeper than `max_depth`.
Body parse(const std::vector<Token>& tokens, int max_depth = 200);

}  // namespace nib::jinja
