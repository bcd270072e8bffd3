/* A plain C program over nib.h: load a causal LM, stream a greedy generation to stdout, and
 * (given an encoder folder) classify a text.
 *   example_c CAUSAL_LM_DIR [CLASSIFIER_DIR] */
#include <nib.h>
#include <stdio.h>

static int print_piece(const char* piece, size_t len, void* user_data) {
  (void)user_data;
  fwrite(piece, 1, len, stdout);
  fflush(stdout);
  return 0; /* non-zero would stop the generation */
}

static int fail(const char* what, nib_status status) {
  fprintf(stderr, "%s failed (%s): %s\n", what, nib_status_name(status), nib_last_error());
  return 1;
}

static int generate(const char* dir) {
  nib_model* model = NULL;
  nib_session* session = NULL;
  nib_status s = nib_model_load(dir, NULL, &model);
  if (s != NIB_OK) return fail("nib_model_load", s);
  s = nib_session_create(model, NULL, &session);
  if (s == NIB_OK) {
    nib_generate_options o;
    nib_generate_options_init(&o);
    o.max_new_tokens = 64;
    o.stop_at_eos = 0;
    o.stream = print_piece;
    nib_generation g = {.struct_size =
                            sizeof g}; /* text and ids are owned by the session until its next call */
    s = nib_generate(session, "Once upon a time", &o, &g);
    if (s == NIB_OK) printf("\n[%zu tokens, %.1f ms]\n", g.count, g.prefill_ms + g.decode_ms);
  }
  nib_session_free(session);
  nib_model_free(model);
  return s == NIB_OK ? 0 : fail("generation", s);
}

static int classify(const char* dir) {
  nib_model* model = NULL;
  nib_session* session = NULL;
  nib_status s = nib_model_load(dir, NULL, &model);
  if (s != NIB_OK) return fail("nib_model_load", s);
  s = nib_session_create(model, NULL, &session);
  nib_classification c = {.struct_size = sizeof c};
  if (s == NIB_OK) s = nib_classify(session, "I loved this movie, it was fantastic!", NULL, &c);
  if (s == NIB_OK) {
    printf("label: %s\n", c.label);
    for (size_t i = 0; i < c.label_count; ++i) printf("  %s %.4f\n", c.labels[i], c.scores[i]);
  }
  nib_session_free(session);
  nib_model_free(model);
  return s == NIB_OK ? 0 : fail("classification", s);
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s CAUSAL_LM_DIR [CLASSIFIER_DIR]\n", argv[0]);
    return 2;
  }
  printf("nib %s (ABI %d)\n", nib_version(), nib_abi_version());
  if (generate(argv[1])) return 1;
  return argc > 2 ? classify(argv[2]) : 0;
}
