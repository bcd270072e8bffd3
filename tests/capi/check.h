/* Minimal test harness for the C ABI tests (C99: no test framework needed). */
#ifndef NIB_CAPI_CHECK_H
#define NIB_CAPI_CHECK_H

#include <nib.h>
#include <stdio.h>
#include <string.h>

extern int check_failures;

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
      ++check_failures;                                                        \
    }                                                                          \
  } while (0)

/* Checks a call's status; on a mismatch prints the library's message. */
#define CHECK_STATUS(call, want)                                                          \
  do {                                                                                    \
    nib_status got_ = (call);                                                             \
    if (got_ != (want)) {                                                                 \
      fprintf(stderr, "%s:%d: %s returned %s, want %s (%s)\n", __FILE__, __LINE__, #call, \
              nib_status_name(got_), nib_status_name(want), nib_last_error());            \
      ++check_failures;                                                                   \
    }                                                                                     \
  } while (0)

#define CHECK_OK(call) CHECK_STATUS(call, NIB_OK)

/* The last error contains `needle`. */
#define CHECK_MESSAGE(needle)                                                                          \
  do {                                                                                                 \
    if (!strstr(nib_last_error(), (needle))) {                                                         \
      fprintf(stderr, "%s:%d: last error \"%s\" lacks \"%s\"\n", __FILE__, __LINE__, nib_last_error(), \
              (needle));                                                                               \
      ++check_failures;                                                                                \
    }                                                                                                  \
  } while (0)

/* A path under the shared test data (NIB_SHARED); static buffer, valid until the next call. */
const char* shared_path(const char* relative);
/* The scratch folder given on the command line. */
const char* scratch_path(const char* relative);
/* Writes a file (creating nothing else); returns 0 on success. */
int write_file(const char* path, const char* contents);
/* The string value of the `nth` (0-based) "key": "..." in a JSON file, counting from the first
 * occurrence of `after` (NULL: the start), unescaped; caller frees. NULL when absent. Enough for
 * reading goldens without a JSON library (no \u escapes). */
char* json_string_at(const char* file, const char* after, const char* key, int nth);

#endif
