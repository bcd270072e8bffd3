#include "text/jinja/errors.hpp"

#include <nib/error.hpp>

namespace nib::jinja {

void fail_syntax(int line, const std::string& message) {
  throw Error(Status::Format, "chat template line " + std::to_string(line) + ": syntax error: " + message);
}

void fail_render(int line, const std::string& message) {
  throw Error(Status::Format, "chat template line " + std::to_string(line) + ": " + message);
}

}  // namespace nib::jinja
