/* Consumes the installed nib.h / libnib: prints the versions and, given a model folder, the
 * greedy continuation of "Once upon a time". */
#include <nib.h>
#include <stdio.h>

int main(int argc, char** argv) {
  printf("nib %s ABI %d\n", nib_version(), nib_abi_version());
  if (argc < 2) return 0;
  nib_model* model = NULL;
  nib_session* session = NULL;
  nib_generation g = {.struct_size = sizeof g};
  nib_generate_options o;
  nib_generate_options_init(&o);
  o.max_new_tokens = 16;
  nib_status s = nib_model_load(argv[1], NULL, &model);
  if (s == NIB_OK) s = nib_session_create(model, NULL, &session);
  if (s == NIB_OK) s = nib_generate(session, "Once upon a time", &o, &g);
  if (s == NIB_OK)
    printf("text:%s\n", g.text);
  else
    fprintf(stderr, "error: %s\n", nib_last_error());
  nib_session_free(session);
  nib_model_free(model);
  return s == NIB_OK ? 0 : 1;
}
