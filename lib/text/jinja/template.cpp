#include "text/jinja/template.hpp"

#include "text/jinja/builtins.hpp"
#include "text/jinja/errors.hpp"
#include "text/jinja/lexer.hpp"
#include "text/jinja/parser.hpp"

namespace nib::jinja {

Template::Template(const std::string& source, const Limits& limits)
    : limits_(limits), body_(parse(tokenize(source), limits.max_nesting)) {}

std::string Template::render(const std::vector<std::pair<std::string, Value>>& variables,
                             std::chrono::system_clock::time_point now) const {
  auto globals = make_globals();
  for (auto& [name, value] : variables) globals->set(name, value);
  Render r(limits_, std::move(globals), now);
  try {
    exec_body(r, body_);
  } catch (const RuntimeFailure& e) {
    fail_render(0, e.what());  // a failure outside any node (should not happen)
  }
  return std::move(r.output());
}

}  // namespace nib::jinja
