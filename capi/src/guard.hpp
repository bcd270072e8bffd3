#pragma once
// The one catch-all every C entry point runs its body through, plus the argument and struct
// helpers they share. Nothing here may let an exception escape.
#include <nib.h>
#include <nib/error.hpp>

#include <algorithm>
#include <cstring>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include "last_error.hpp"

namespace nib::capi {

inline nib_status fail(const char* function, nib_status status, const char* message) noexcept {
  try {
    last_error() = std::string(function) + ": " + message;
  } catch (...) {
    last_error().clear();  // no memory for the message; the status still tells
  }
  return status;
}

// Runs body(); maps every exception to a status and the thread's last-error message.
template <class Body>
nib_status guard(const char* function, Body&& body) noexcept {
  try {
    body();
    return NIB_OK;
  } catch (const nib::Error& e) {
    return fail(function, static_cast<nib_status>(e.status()), e.what());
  } catch (const std::bad_alloc&) {
    return fail(function, NIB_OUT_OF_MEMORY, "out of memory");
  } catch (const std::exception& e) {
    return fail(function, NIB_INTERNAL, e.what());
  } catch (...) {
    return fail(function, NIB_INTERNAL, "unknown exception");
  }
}

[[noreturn]] inline void invalid(const std::string& message) {
  throw nib::Error(nib::Status::InvalidArgument, message);
}

// Throws InvalidArgument naming the parameter when p is NULL.
template <class T>
T* need(T* p, const char* name) {
  if (!p) invalid(std::string(name) + " is NULL");
  return p;
}

inline std::string_view text_arg(const char* text, size_t len, const char* name) {
  if (!text && len) invalid(std::string(name) + " is NULL");
  return text ? std::string_view(text, len) : std::string_view();
}

// An options struct as the caller filled it: the first struct_size bytes over the defaults, so an
// older caller (smaller struct) gets defaults for the fields it does not know.
template <class T>
T read_options(const T* in, T defaults, const char* name) {
  if (!in) return defaults;
  if (in->struct_size < sizeof(size_t))
    invalid(std::string(name) + "->struct_size is " + std::to_string(in->struct_size) +
            " (initialise the struct with its _init function)");
  std::memcpy(static_cast<void*>(&defaults), in, std::min(in->struct_size, sizeof(T)));
  defaults.struct_size = sizeof(T);
  return defaults;
}

// A result struct the caller provides: not NULL, its struct_size set. Checked before any work.
template <class T>
T* need_result(T* out, const char* name) {
  need(out, name);
  if (out->struct_size < sizeof(size_t))
    invalid(std::string(name) + "->struct_size is " + std::to_string(out->struct_size) +
            " (set it to sizeof the struct)");
  return out;
}

// Writes a result into the first out->struct_size bytes of the caller's struct.
template <class T>
void write_result(T* out, T value, const char* name) {
  const size_t size = need_result(out, name)->struct_size;
  value.struct_size = size;
  std::memcpy(static_cast<void*>(out), &value, std::min(size, sizeof(T)));
}

// A caller's array of `count` NUL-terminated strings, each checked (names[i] in the message).
inline std::vector<std::string> text_list(const char* const* texts, size_t count, const char* name) {
  if (!texts && count) invalid(std::string(name) + " is NULL");
  std::vector<std::string> out;
  out.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    if (!texts[i]) invalid(std::string(name) + "[" + std::to_string(i) + "] is NULL");
    out.emplace_back(texts[i]);
  }
  return out;
}

// Item i of a caller's array of result structs laid out at a stride of out[0].struct_size bytes
// (checked: at least the size field, and aligned); its struct_size is set to that stride.
template <class T>
T* result_item(T* out, size_t i) {
  const size_t stride = out->struct_size;
  if (stride < sizeof(size_t) || stride % alignof(T))
    invalid("out->struct_size " + std::to_string(stride) + " is not a valid result struct size");
  auto* p = reinterpret_cast<T*>(reinterpret_cast<char*>(out) + i * stride);
  p->struct_size = stride;
  return p;
}

// A NUL-terminated copy the caller frees with nib_string_free.
char* copy_string(std::string_view s);

}  // namespace nib::capi

// Appending a field into an older struct's trailing padding would let old callers pass garbage for
// it; every struct therefore ends exactly at its last field.
#define NIB_CAPI_NO_TAIL_PADDING(T, last) \
  static_assert(sizeof(T) == offsetof(T, last) + sizeof(T::last), #T " has trailing padding")
