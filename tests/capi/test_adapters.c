/* LoRA adapters through the C ABI: load against a base, attach, detach, and the errors. */
#include <stdlib.h>

#include "check.h"
#include "groups.h"

void test_adapters(void) {
  nib_model* bert = NULL;
  nib_model* llama = NULL;
  CHECK_OK(nib_model_load(shared_path("models/tiny-bert"), NULL, &bert));
  CHECK_OK(nib_model_load(shared_path("models/tiny-llama"), NULL, &llama));
  if (!bert || !llama) return;

  nib_adapter* lora = NULL;
  CHECK_OK(nib_adapter_load(bert, shared_path("models/tiny-bert/adapters/lora-a"), &lora));
  nib_adapter_info info = {.struct_size = sizeof info};
  CHECK_OK(nib_adapter_get_info(lora, &info));
  CHECK(info.rank == 4 && info.alpha == 8.0 && strcmp(info.task_type, "SEQ_CLS") == 0);

  nib_session* session = NULL;
  CHECK_OK(nib_session_create(bert, NULL, &session));
  char golden[4096];
  snprintf(golden, sizeof golden, "%s", shared_path("models/tiny-bert/adapters/lora-a/golden/classification.json"));
  char* text = json_string_at(golden, "\"single\"", "text", 0);
  char* want = json_string_at(golden, "\"single\"", "label", 0);
  nib_classification base = {.struct_size = sizeof base};
  CHECK_OK(nib_classify(session, text, NULL, &base));
  const size_t base_label = base.label_index;

  const nib_adapter* set[] = {lora};
  CHECK_OK(nib_session_use_adapters(session, set, NULL, 1));
  nib_adapter_free(lora); /* the session keeps it */
  nib_classification with = {.struct_size = sizeof with};
  CHECK_OK(nib_classify(session, text, NULL, &with));
  CHECK(want && strcmp(with.label, want) == 0);
  CHECK_OK(nib_session_clear_adapters(session));
  CHECK_OK(nib_classify(session, text, NULL, &base));
  CHECK(base.label_index == base_label);
  free(text);
  free(want);

  /* Errors: an adapter for another base, NULL entries, NULL handles. */
  nib_adapter* wrong = (nib_adapter*)1;
  CHECK(nib_adapter_load(bert, shared_path("models/tiny-llama/adapters/lora-a"), &wrong) != NIB_OK);
  CHECK(wrong == NULL);
  CHECK(strlen(nib_last_error()) > strlen("nib_adapter_load: "));
  CHECK(nib_adapter_load(llama, scratch_path("no-such-adapter"), &wrong) != NIB_OK);
  CHECK_STATUS(nib_adapter_load(NULL, "x", &wrong), NIB_INVALID_ARGUMENT);
  CHECK_MESSAGE("base is NULL");
  const nib_adapter* nulls[] = {NULL};
  CHECK_STATUS(nib_session_use_adapters(session, nulls, NULL, 1), NIB_INVALID_ARGUMENT);
  CHECK_MESSAGE("adapters[0]");
  CHECK_STATUS(nib_session_use_adapters(NULL, set, NULL, 0), NIB_INVALID_ARGUMENT);
  CHECK_STATUS(nib_session_clear_adapters(NULL), NIB_INVALID_ARGUMENT);
  CHECK_STATUS(nib_adapter_get_info(NULL, &info), NIB_INVALID_ARGUMENT);
  CHECK_OK(nib_adapter_free(NULL));

  nib_session_free(session);
  nib_model_free(bert);
  nib_model_free(llama);
}
