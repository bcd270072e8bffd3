#pragma once
// The nib::Error a call throws, for tests that check a refusal's status and message.
#include <nib/error.hpp>

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
}  // namespace nib::test
