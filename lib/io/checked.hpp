#pragma once
// Checked arithmetic for sizes read from files: overflow is a format error, never wrap-around.
#include <cstdint>
#include <string>

#include <nib/error.hpp>

namespace nib::io {

inline std::uint64_t checked_mul(std::uint64_t a, std::uint64_t b, const std::string& what) {
  std::uint64_t r;
  if (__builtin_mul_overflow(a, b, &r)) throw Error(Status::Format, what + ": size overflows 64 bits");
  return r;
}

inline std::uint64_t checked_add(std::uint64_t a, std::uint64_t b, const std::string& what) {
  std::uint64_t r;
  if (__builtin_add_overflow(a, b, &r)) throw Error(Status::Format, what + ": size overflows 64 bits");
  return r;
}

}  // namespace nib::io
