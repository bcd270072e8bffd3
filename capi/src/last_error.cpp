#include "last_error.hpp"

namespace nib::capi {
std::string& last_error() {
  thread_local std::string message;
  return message;
}
}  // namespace nib::capi
