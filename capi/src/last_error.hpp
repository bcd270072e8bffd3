#pragma once
#include <string>

namespace nib::capi {
// The calling thread's last error message, as nib_last_error() returns it.
std::string& last_error();
}  // namespace nib::capi
