#pragma once
// A parsed Jinja template, rendered any number of times (const, so shareable across threads).
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "text/jinja/ast.hpp"
#include "text/jinja/render.hpp"

namespace nib::jinja {

class Template {
 public:
  // Throws nib::Error(Status::Format) on syntax errors.
  explicit Template(const std::string& source, const Limits& limits = {});

  // Renders with `variables` defined (messages, add_generation_prompt, bos_token, ...) on top of
  // the global functions. `now` is what strftime_now() formats.
  std::string render(const std::vector<std::pair<std::string, Value>>& variables,
                     std::chrono::system_clock::time_point now) const;

 private:
  Limits limits_;
  Body body_;
};

}  // namespace nib::jinja
