/* C ABI tests, compiled as C99: `nib_capi_tests GROUP SCRATCH_DIR`. */
#include <stdlib.h>

#include "check.h"
#include "groups.h"

void set_scratch_root(const char* root);

int main(int argc, char** argv) {
  static const struct {
    const char* name;
    void (*run)(void);
  } groups[] = {{"errors", test_errors},     {"structs", test_structs}, {"tokenizer", test_tokenizer},
                {"chat", test_chat},         {"causal", test_causal},   {"encoder", test_encoder},
                {"adapters", test_adapters}, {"scoring", test_scoring}, {"heads", test_heads},
                {"limits", test_limits}};
  if (argc < 2) {
    fprintf(stderr, "usage: %s GROUP [SCRATCH_DIR]\n", argv[0]);
    return 2;
  }
  if (argc > 2) set_scratch_root(argv[2]);
  for (size_t i = 0; i < sizeof groups / sizeof groups[0]; ++i) {
    if (strcmp(groups[i].name, argv[1]) == 0) {
      groups[i].run();
      if (check_failures) fprintf(stderr, "%d check(s) failed\n", check_failures);
      return check_failures ? 1 : 0;
    }
  }
  fprintf(stderr, "unknown group %s\n", argv[1]);
  return 2;
}
