#pragma once
// The nib::Error a call throws, for tests that check a refusal's status and message.
#include <nib/error.hpp>
#include <nib/tokenizer.hpp>

#include <filesystem>
#include <functional>
#include <string>
#include <utility>

namespace nib::test {
// The status and message of the error f throws (Status::Ok and "" when it does not throw).
inline std::pair<nib::Status, std::string> error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const nib::Error& e) {
    return {e.status(), e.what()};
  }
  return {nib::Status::Ok, ""};
}
inline nib::Status status_of(const std::function<void()>& f) {
  return error_of(f).first;
}
// The error loading a tokenizer folder gives (Status::Ok and "" when it loads).
inline std::pair<nib::Status, std::string> tokenizer_load_error(const std::filesystem::path& dir) {
  return error_of([&] { (void)nib::Tokenizer::load(dir); });
}
}  // namespace nib::test
