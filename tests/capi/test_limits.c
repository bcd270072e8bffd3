/* Resource limits through the C ABI: the load option max_memory_bytes (weights at load, a session's
 * KV cache when it is first used), and 10,000 sessions created, used and freed without growth in
 * resident memory (under AddressSanitizer, LeakSanitizer reports any leak at exit instead). */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "groups.h"

static void memory_cap(void) {
  nib_load_options lo;
  CHECK_OK(nib_load_options_init(&lo));
  lo.threads = 1;
  lo.max_memory_bytes = 1000;
  nib_model* model = (nib_model*)1;
  CHECK_STATUS(nib_model_load(shared_path("models/stories260K"), &lo, &model), NIB_OUT_OF_MEMORY);
  CHECK(model == NULL);
  CHECK_MESSAGE("memory cap: model.embed_tokens.weight [512, 64] F32 of "); /* the first tensor bound */
  CHECK_MESSAGE("max_memory_bytes allows 1000");

  /* Room for the weights (1.04 MB as f32) and a short context, not for a 512-token one. */
  lo.max_memory_bytes = 1536u * 1024;
  CHECK_OK(nib_model_load(shared_path("models/stories260K"), &lo, &model));
  nib_session_options so;
  CHECK_OK(nib_session_options_init(&so));
  so.n_ctx = 512;
  so.threads = 1;
  nib_session* big = NULL;
  CHECK_OK(nib_session_create(model, &so, &big)); /* the KV cache is made on first use */
  const nib_token ids[] = {1, 403};
  nib_generate_options go;
  CHECK_OK(nib_generate_options_init(&go));
  go.max_new_tokens = 2;
  go.stop_at_eos = 0;
  nib_generation g = {.struct_size = sizeof g};
  CHECK_STATUS(nib_generate_ids(big, ids, 2, &go, &g), NIB_OUT_OF_MEMORY);
  CHECK_MESSAGE("a session's KV cache and buffers (n_ctx 512) needs ");
  CHECK_MESSAGE("max_memory_bytes allows 1572864");
  so.n_ctx = 16;
  nib_session* small = NULL;
  CHECK_OK(nib_session_create(model, &so, &small));
  CHECK_OK(nib_generate_ids(small, ids, 2, &go, &g));
  CHECK(g.count == 2);
  CHECK_OK(nib_session_free(small));
  CHECK_OK(nib_session_free(big));
  CHECK_OK(nib_model_free(model));
}

/* Resident bytes from /proc/self/statm (second field, in pages). */
static long resident_bytes(void) {
  FILE* f = fopen("/proc/self/statm", "r");
  long size = 0, resident = 0;
  if (!f) return -1;
  if (fscanf(f, "%ld %ld", &size, &resident) != 2) resident = -1;
  fclose(f);
  return resident * sysconf(_SC_PAGESIZE);
}

/* One session's life: create, generate a token (allocating its KV cache and sampler), free. */
static void session_cycle(const nib_model* model) {
  nib_session_options so;
  nib_session_options_init(&so);
  so.n_ctx = 16;
  so.threads = 1;
  nib_session* s = NULL;
  CHECK_OK(nib_session_create(model, &so, &s));
  const nib_token ids[] = {1, 403};
  nib_generate_options go;
  nib_generate_options_init(&go);
  go.max_new_tokens = 1;
  nib_generation g = {.struct_size = sizeof g};
  CHECK_OK(nib_generate_ids(s, ids, 2, &go, &g));
  CHECK(g.count == 1);
  CHECK_OK(nib_session_free(s));
}

static void ten_thousand_sessions(void) {
  nib_load_options lo;
  CHECK_OK(nib_load_options_init(&lo));
  lo.threads = 1;
  nib_model* model = NULL;
  CHECK_OK(nib_model_load(shared_path("models/stories260K"), &lo, &model));
  for (int i = 0; i < 200; ++i) session_cycle(model); /* warm-up: allocator pools, thread locals */
  const long before = resident_bytes();
  for (int i = 0; i < 10000; ++i) session_cycle(model);
  const long after = resident_bytes();
  fprintf(stderr, "10000 sessions: resident %ld -> %ld bytes (%+ld)\n", before, after, after - before);
  CHECK(before > 0 && after > 0);
#if !defined(__SANITIZE_ADDRESS__)
  /* AddressSanitizer's quarantine holds freed memory, so RSS says nothing there; LSan checks. */
  CHECK(after - before < 1024 * 1024);
#endif
  CHECK_OK(nib_model_free(model));
}

void test_limits(void) {
  memory_cap();
  ten_thousand_sessions();
}
