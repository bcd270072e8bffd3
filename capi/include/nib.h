/* nib — C ABI (C99).
 *
 * Compatibility promise: once released, a function's signature and meaning never change; new
 * behaviour arrives as new functions, and options structs only grow at the end (they start with
 * struct_size so older callers keep working). nib_abi_version() is bumped by additions only.
 *
 * Errors: every function returns nib_status; NIB_OK is 0. nib_last_error() returns the calling
 * thread's message for its last failure (owned by the library, valid until the next nib call on
 * that thread). No C++ exception ever crosses this boundary.
 */
#ifndef NIB_H
#define NIB_H

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#  define NIB_C_API __attribute__((visibility("default")))
#else
#  define NIB_C_API
#endif

typedef enum nib_status {
  NIB_OK = 0,
  NIB_INVALID_ARGUMENT = 1,
  NIB_IO = 2,
  NIB_FORMAT = 3,
  NIB_UNSUPPORTED = 4,
  NIB_OUT_OF_MEMORY = 5,
  NIB_CONTEXT_FULL = 6,
  NIB_CANCELLED = 7,
  NIB_INTERNAL = 8
} nib_status;

/* The ABI level: an integer bumped only when functions or struct fields are added. */
NIB_C_API int nib_abi_version(void);
/* The library version, "MAJOR.MINOR.PATCH"; a static string, never freed. */
NIB_C_API const char* nib_version(void);
/* The calling thread's last error message ("" if none); owned by the library. */
NIB_C_API const char* nib_last_error(void);
/* A short name for a status ("ok", "format", ...); a static string, never freed. */
NIB_C_API const char* nib_status_name(nib_status status);

#ifdef __cplusplus
}
#endif

#endif /* NIB_H */
