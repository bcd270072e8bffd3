#pragma once
// How the interpreter reports failures. Syntax and render errors are nib::Error(Status::Format)
// whose message starts with "chat template line N: "; raise_exception() is the exception: its
// message is exactly the template's text, so callers (and the goldens) can compare it.
#include <stdexcept>
#include <string>

namespace nib::jinja {

// Thrown below the expression level (filters, methods, value operations) where the line is not
// known; the enclosing node rethrows it as a nib::Error with its line.
struct RuntimeFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

[[noreturn]] void fail_syntax(int line, const std::string& message);
[[noreturn]] void fail_render(int line, const std::string& message);
[[noreturn]] inline void fail(const std::string& message) {
  throw RuntimeFailure(message);
}

// f() with a RuntimeFailure it raises rethrown as the render error of template line `line`.
template <class F>
auto located(int line, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const RuntimeFailure& e) {
    fail_render(line, e.what());
  }
}

}  // namespace nib::jinja
