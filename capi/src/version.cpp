#include <nib.h>
#include <nib/error.hpp>

#include "last_error.hpp"

extern "C" {

int nib_abi_version(void) {
  return 1;
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
}
