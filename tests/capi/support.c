#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <sys/stat.h>

#include "check.h"

int check_failures = 0;
static const char* scratch_root = ".";

void set_scratch_root(const char* root);
void set_scratch_root(const char* root) {
  scratch_root = root;
  mkdir(root, 0755);
}

const char* shared_path(const char* relative) {
  static char buf[4096];
  const char* root = getenv("NIB_SHARED");
  snprintf(buf, sizeof buf, "%s/%s", root && *root ? root : "../shared", relative);
  return buf;
}

const char* scratch_path(const char* relative) {
  static char buf[4096];
  snprintf(buf, sizeof buf, "%s/%s", scratch_root, relative);
  return buf;
}

int write_file(const char* path, const char* contents) {
  FILE* f = fopen(path, "wb");
  if (!f) return -1;
  size_t n = strlen(contents);
  int ok = fwrite(contents, 1, n, f) == n;
  return fclose(f) == 0 && ok ? 0 : -1;
}

static char* read_all(const char* path) {
  FILE* f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char* s = malloc((size_t)n + 1);
  if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
    free(s);
    s = NULL;
  }
  if (s) s[n] = '\0';
  fclose(f);
  return s;
}

char* json_string_at(const char* file, const char* after, const char* key, int nth) {
  char* doc = read_all(file);
  if (!doc) return NULL;
  char quoted[256];
  snprintf(quoted, sizeof quoted, "\"%s\"", key);
  const char* p = after ? strstr(doc, after) : doc;
  const char* value = NULL;
  for (int found = -1; p && found < nth;) {
    p = strstr(p, quoted);
    if (!p) break;
    p += strlen(quoted);
    const char* v = p + strspn(p, " \n\t");
    if (*v != ':') continue; /* the key's text inside some other string */
    v += 1 + strspn(v + 1, " \n\t");
    if (*v != '"') continue; /* not a string value */
    value = v + 1;
    ++found;
    if (found < nth) value = NULL;
  }
  char* out = NULL;
  if (value) {
    out = malloc(strlen(value) + 1);
    char* o = out;
    for (p = value; *p && *p != '"'; ++p) {
      if (*p != '\\') {
        *o++ = *p;
        continue;
      }
      ++p;
      *o++ = *p == 'n' ? '\n' : *p == 't' ? '\t' : *p; /* \" \\ \/ as themselves */
    }
    *o = '\0';
  }
  free(doc);
  return out;
}
