#pragma once
#include <nib/export.hpp>

#include <stdexcept>
#include <string>

namespace nib {

// Status codes shared by the C++ API (nib::Error) and the C ABI (nib_status); values are stable.
enum class Status : int {
  Ok = 0,
  InvalidArgument = 1,  // the caller passed something impossible
  Io = 2,               // a file could not be opened, mapped or read
  Format = 3,           // a file is malformed (bad JSON, sizes, offsets, types)
  Unsupported = 4,      // well-formed but not something nib implements
  OutOfMemory = 5,      // an allocation or a configured memory cap failed
  ContextFull = 6,      // the session's context has no room for more tokens
  Cancelled = 7,        // a callback or cancel() stopped the operation
  Internal = 8,         // a bug in nib
};

NIB_API const char* status_name(Status s) noexcept;

// The one exception type nib throws. The message names the file, tensor, key or argument at fault.
class NIB_API Error : public std::runtime_error {
 public:
  Error(Status status, const std::string& message);
  Status status() const noexcept { return status_; }

 private:
  Status status_;
};

}  // namespace nib
