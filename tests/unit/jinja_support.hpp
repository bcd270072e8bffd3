#pragma once
// Helpers for the Jinja interpreter tests: render a template source with variables given as JSON.
#include <nib/chat.hpp>
#include <nib/error.hpp>

#include <string>

namespace nib::test {

inline std::string render(const std::string& source, const std::string& variables = "{}") {
  ChatOptions options;
  options.variables_json = variables;
  return ChatTemplate::from_source(source, {{"bos_token", "<s>"}}).render_json("[]", options);
}

// The error message of a template that must fail to parse or render ("" if it did not fail).
inline std::string render_error(const std::string& source, const std::string& variables = "{}") {
  try {
    render(source, variables);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace nib::test
