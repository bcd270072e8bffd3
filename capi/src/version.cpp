#include <cstdlib>

#include "guard.hpp"

namespace nib::capi {
char* copy_string(std::string_view s) {
  char* p = static_cast<char*>(std::malloc(s.size() + 1));
  if (!p) throw std::bad_alloc();
  std::memcpy(p, s.data(), s.size());
  p[s.size()] = '\0';
  return p;
}
}  // namespace nib::capi

extern "C" {

int nib_abi_version(void) {
  return 5;
}

const char* nib_version(void) {
  return NIB_VERSION_STRING;
}

const char* nib_last_error(void) {
  return nib::capi::last_error().c_str();
}

const char* nib_status_name(nib_status status) {
  return nib::status_name(static_cast<nib::Status>(status));
}

nib_status nib_string_free(char* string) {
  std::free(string);
  return NIB_OK;
}
}
