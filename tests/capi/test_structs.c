/* struct_size compatibility: a caller compiled against an older nib.h (smaller structs) keeps
 * working — the library reads and writes only the bytes the caller's struct has. */
#include <stddef.h>
#include <stdlib.h>

#include "check.h"
#include "groups.h"

static void older_options(nib_model* model) {
  nib_session* session = NULL;
  CHECK_OK(nib_session_create(model, NULL, &session));

  nib_generate_options full;
  CHECK_OK(nib_generate_options_init(&full));
  full.max_new_tokens = 6;
  nib_generation want = {.struct_size = sizeof want};
  CHECK_OK(nib_generate(session, "Once upon a time", &full, &want));
  CHECK(want.count == 6);
  char* want_text = malloc(want.text_len + 1);
  memcpy(want_text, want.text, want.text_len + 1);

  /* An "ABI 0" caller knowing only struct_size and max_new_tokens; bytes beyond are garbage. */
  nib_generate_options old;
  memset(&old, 0xFF, sizeof old);
  old.struct_size = offsetof(nib_generate_options, temperature);
  old.max_new_tokens = 6;
  nib_generation got = {.struct_size = sizeof got};
  CHECK_OK(nib_session_reset(session));
  CHECK_OK(nib_generate(session, "Once upon a time", &old, &got));
  CHECK(got.count == 6);
  CHECK(strcmp(got.text, want_text) == 0);
  free(want_text);

  /* A newer caller with a bigger struct: the library reads what it knows. */
  unsigned char* big = calloc(1, sizeof(nib_generate_options) + 64);
  CHECK_OK(nib_generate_options_init((nib_generate_options*)big));
  ((nib_generate_options*)big)->struct_size = sizeof(nib_generate_options) + 64;
  ((nib_generate_options*)big)->max_new_tokens = 2;
  CHECK_OK(nib_generate(session, "Once upon a time", (nib_generate_options*)big, &got));
  CHECK(got.count == 2);
  free(big);

  /* Session options of an older caller. */
  nib_session_options so;
  memset(&so, 0xFF, sizeof so);
  so.struct_size = offsetof(nib_session_options, threads);
  so.n_ctx = 64;
  nib_session* small = NULL;
  CHECK_OK(nib_session_create(model, &so, &small));
  nib_session_free(small);
  /* An ABI 3 caller: no kv_cache_type; the garbage after its struct is not read (f32 cache). */
  memset(&so, 0xFF, sizeof so);
  so.struct_size = offsetof(nib_session_options, kv_cache_type);
  so.n_ctx = 64;
  so.threads = 1;
  so.drop_oldest_on_overflow = 0;
  CHECK_OK(nib_session_create(model, &so, &small));
  nib_session_free(small);
  nib_session_free(session);
}

static void older_results(nib_model* model) {
  /* An older nib_model_info: only path and architecture; the rest must stay untouched. */
  union {
    nib_model_info info;
    unsigned char bytes[sizeof(nib_model_info)];
  } u;
  memset(&u, 0xAB, sizeof u);
  const size_t old_size = offsetof(nib_model_info, model_type);
  u.info.struct_size = old_size;
  CHECK_OK(nib_model_get_info(model, &u.info));
  CHECK(u.info.struct_size == old_size);
  CHECK(strcmp(u.info.architecture, "LlamaForCausalLM") == 0);
  for (size_t i = old_size; i < sizeof u; ++i) CHECK(u.bytes[i] == 0xAB);

  /* An older nib_generation: just the text. */
  nib_session* session = NULL;
  CHECK_OK(nib_session_create(model, NULL, &session));
  union {
    nib_generation gen;
    unsigned char bytes[sizeof(nib_generation)];
  } g;
  memset(&g, 0xCD, sizeof g);
  g.gen.struct_size = offsetof(nib_generation, prompt_ids);
  nib_generate_options o;
  CHECK_OK(nib_generate_options_init(&o));
  o.max_new_tokens = 3;
  CHECK_OK(nib_generate(session, "Once", &o, &g.gen));
  CHECK(strlen(g.gen.text) == g.gen.text_len);
  for (size_t i = offsetof(nib_generation, prompt_ids); i < sizeof g; ++i) CHECK(g.bytes[i] == 0xCD);

  /* struct_size 0 on a result struct is refused. */
  nib_generation zero = {0};
  CHECK_STATUS(nib_generate(session, "Once", &o, &zero), NIB_INVALID_ARGUMENT);
  CHECK_MESSAGE("struct_size");
  nib_session_free(session);
}

void test_structs(void) {
  nib_model* model = NULL;
  CHECK_OK(nib_model_load(shared_path("models/stories260K"), NULL, &model));
  if (!model) return;
  older_options(model);
  older_results(model);
  nib_model_free(model);
}
