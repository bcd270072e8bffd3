/* Errors driven through every entry point: NULL handles and out-params, impossible options,
 * malformed and missing model folders, cancelled loads. Each must return a status and a message
 * naming the function and argument at fault — never crash or throw. */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <sys/stat.h>

#include "check.h"
#include "groups.h"

/* The call fails with NIB_INVALID_ARGUMENT and a message naming the function and `what`. */
#define CHECK_INVALID(call, function, what)   \
  do {                                        \
    CHECK_STATUS(call, NIB_INVALID_ARGUMENT); \
    CHECK_MESSAGE(function ": ");             \
    CHECK_MESSAGE(what);                      \
  } while (0)

static int cancel_at_first_progress(float progress, void* user_data) {
  (void)progress;
  ++*(int*)user_data;
  return 1;
}

static void null_handles(void) {
  nib_model* model = (nib_model*)1;
  nib_tokenizer* tok = (nib_tokenizer*)1;
  nib_session* session = (nib_session*)1;
  nib_encoding* enc = (nib_encoding*)1;
  const char* cstr = NULL;
  char* str = (char*)1;
  size_t n = 0;
  nib_token id = 0;
  int flag = 0;
  const nib_token* ids = NULL;
  const int32_t* type_ids = NULL;
  const float* floats = NULL;
  nib_model_info info = {.struct_size = sizeof info};
  nib_generation gen = {.struct_size = sizeof gen};
  nib_classification cls = {.struct_size = sizeof cls};
  nib_fill_mask_result fill = {.struct_size = sizeof fill};
  nib_tags tags = {.struct_size = sizeof tags};
  nib_message msg = {"user", "hi"};
  int64_t pos = 0;
  const char* texts[1] = {"x"};

  CHECK_INVALID(nib_load_options_init(NULL), "nib_load_options_init", "options is NULL");
  CHECK_INVALID(nib_chat_options_init(NULL), "nib_chat_options_init", "options is NULL");
  CHECK_INVALID(nib_session_options_init(NULL), "nib_session_options_init", "options is NULL");
  CHECK_INVALID(nib_generate_options_init(NULL), "nib_generate_options_init", "options is NULL");
  CHECK_INVALID(nib_task_options_init(NULL), "nib_task_options_init", "options is NULL");

  CHECK_INVALID(nib_model_load(NULL, NULL, &model), "nib_model_load", "path is NULL");
  CHECK(model == NULL); /* out-params are cleared on failure */
  CHECK_INVALID(nib_model_load("x", NULL, NULL), "nib_model_load", "out is NULL");
  CHECK_INVALID(nib_model_get_info(NULL, &info), "nib_model_get_info", "model is NULL");
  CHECK_INVALID(nib_model_label(NULL, 0, &cstr), "nib_model_label", "model is NULL");
  CHECK_INVALID(nib_model_tokenizer(NULL, &tok), "nib_model_tokenizer", "model is NULL");
  CHECK(tok == NULL);

  CHECK_INVALID(nib_tokenizer_load(NULL, &tok), "nib_tokenizer_load", "path is NULL");
  CHECK_INVALID(nib_tokenizer_encode(NULL, "a", 1, 1, &enc), "nib_tokenizer_encode", "tokenizer is NULL");
  CHECK(enc == NULL);
  CHECK_INVALID(nib_tokenizer_encode_pair(NULL, "a", 1, "b", 1, 1, &enc), "nib_tokenizer_encode_pair",
                "tokenizer is NULL");
  CHECK_INVALID(nib_encoding_ids(NULL, &ids, &n), "nib_encoding_ids", "encoding is NULL");
  CHECK_INVALID(nib_encoding_type_ids(NULL, &type_ids, &n), "nib_encoding_type_ids", "encoding is NULL");
  CHECK_INVALID(nib_encoding_token(NULL, 0, &cstr), "nib_encoding_token", "encoding is NULL");
  CHECK_INVALID(nib_tokenizer_decode(NULL, &id, 1, 0, &str, NULL), "nib_tokenizer_decode",
                "tokenizer is NULL");
  CHECK(str == NULL);
  CHECK_INVALID(nib_tokenizer_vocab_size(NULL, &n), "nib_tokenizer_vocab_size", "tokenizer is NULL");
  CHECK_INVALID(nib_tokenizer_token_to_id(NULL, "a", &id), "nib_tokenizer_token_to_id", "tokenizer is NULL");
  CHECK_INVALID(nib_tokenizer_id_to_token(NULL, 0, &str), "nib_tokenizer_id_to_token", "tokenizer is NULL");
  CHECK_INVALID(nib_tokenizer_is_special(NULL, 0, &flag), "nib_tokenizer_is_special", "tokenizer is NULL");
  CHECK_INVALID(nib_tokenizer_special_token(NULL, NIB_SPECIAL_BOS, &id), "nib_tokenizer_special_token",
                "tokenizer is NULL");
  CHECK_INVALID(nib_chat_render(NULL, &msg, 1, NULL, &str), "nib_chat_render", "tokenizer is NULL");
  CHECK_INVALID(nib_chat_render_json(NULL, "[]", NULL, &str), "nib_chat_render_json", "tokenizer is NULL");

  CHECK_INVALID(nib_session_create(NULL, NULL, &session), "nib_session_create", "model is NULL");
  CHECK(session == NULL);
  CHECK_INVALID(nib_session_reset(NULL), "nib_session_reset", "session is NULL");
  CHECK_INVALID(nib_session_cancel(NULL), "nib_session_cancel", "session is NULL");
  CHECK_INVALID(nib_generate(NULL, "a", NULL, &gen), "nib_generate", "session is NULL");
  CHECK_INVALID(nib_generate(NULL, NULL, NULL, &gen), "nib_generate", "prompt is NULL");
  CHECK_INVALID(nib_generate_ids(NULL, &id, 1, NULL, &gen), "nib_generate_ids", "session is NULL");
  CHECK_INVALID(nib_logits(NULL, &id, 1, &pos, 1, &floats, &n), "nib_logits", "session is NULL");
  CHECK_INVALID(nib_classify(NULL, "a", NULL, &cls), "nib_classify", "session is NULL");
  CHECK_INVALID(nib_classify_batch(NULL, texts, 1, NULL, &cls), "nib_classify_batch", "session is NULL");
  CHECK_INVALID(nib_fill_mask(NULL, "a", NULL, &fill), "nib_fill_mask", "session is NULL");
  CHECK_INVALID(nib_embed(NULL, "a", NULL, &floats, &n), "nib_embed", "session is NULL");
  CHECK_INVALID(nib_embed_batch(NULL, texts, 1, NULL, &floats, &n), "nib_embed_batch", "session is NULL");
  CHECK_INVALID(nib_tag_tokens(NULL, "a", NULL, &tags), "nib_tag_tokens", "session is NULL");
  CHECK_INVALID(nib_fill_mask_batch(NULL, texts, 1, NULL, &fill), "nib_fill_mask_batch", "session is NULL");
  CHECK_INVALID(nib_tag_tokens_batch(NULL, texts, 1, NULL, &tags), "nib_tag_tokens_batch", "session is NULL");

  /* Every free accepts NULL. */
  CHECK_OK(nib_model_free(NULL));
  CHECK_OK(nib_tokenizer_free(NULL));
  CHECK_OK(nib_session_free(NULL));
  CHECK_OK(nib_encoding_free(NULL));
  CHECK_OK(nib_string_free(NULL));
}

static void bad_folders(void) {
  nib_model* model = (nib_model*)1;
  CHECK(nib_model_load(scratch_path("does-not-exist"), NULL, &model) != NIB_OK);
  CHECK(model == NULL);
  CHECK_MESSAGE("does-not-exist");

  /* A folder whose config.json is not JSON. */
  mkdir(scratch_path("malformed"), 0755);
  CHECK(write_file(scratch_path("malformed/config.json"), "{\"architectures\": [") == 0);
  CHECK_STATUS(nib_model_load(scratch_path("malformed"), NULL, &model), NIB_FORMAT);
  CHECK_MESSAGE("config.json");
  CHECK(model == NULL);

  /* Well-formed config, weights missing. */
  mkdir(scratch_path("no-weights"), 0755);
  CHECK(write_file(scratch_path("no-weights/config.json"),
                   "{\"architectures\": [\"LlamaForCausalLM\"], \"model_type\": \"llama\"}") == 0);
  CHECK(nib_model_load(scratch_path("no-weights"), NULL, &model) != NIB_OK);
  CHECK(strlen(nib_last_error()) > strlen("nib_model_load: "));
  CHECK(model == NULL);

  nib_tokenizer* tok = (nib_tokenizer*)1;
  CHECK(nib_tokenizer_load(scratch_path("does-not-exist"), &tok) != NIB_OK);
  CHECK(tok == NULL);
}

static void bad_options(void) {
  nib_model* model = NULL;
  nib_load_options o;
  CHECK_OK(nib_load_options_init(&o));
  o.weight_type = 99;
  CHECK_INVALID(nib_model_load(shared_path("models/stories260K"), &o, &model), "nib_model_load",
                "weight_type");
  CHECK(nib_abi_version() >= 5); /* NIB_WEIGHTS_INT4 */
  o.weight_type = NIB_WEIGHTS_INT4 + 1; /* the first value past the last type */
  CHECK_INVALID(nib_model_load(shared_path("models/stories260K"), &o, &model), "nib_model_load",
                "weight_type");
  o.weight_type = NIB_WEIGHTS_INT4; /* the last type loads */
  CHECK_OK(nib_model_load(shared_path("models/stories260K"), &o, &model));
  CHECK_OK(nib_model_free(model));
  model = NULL;
  CHECK_OK(nib_load_options_init(&o));
  o.threads = -1;
  CHECK_INVALID(nib_model_load(shared_path("models/stories260K"), &o, &model), "nib_model_load", "threads");
  CHECK_OK(nib_load_options_init(&o));
  o.struct_size = 0; /* never initialised */
  CHECK_INVALID(nib_model_load(shared_path("models/stories260K"), &o, &model), "nib_model_load",
                "struct_size");
  CHECK(model == NULL);
}

static void cancelled_load(void) {
  nib_model* model = (nib_model*)1;
  nib_load_options o;
  int calls = 0;
  CHECK_OK(nib_load_options_init(&o));
  o.progress = cancel_at_first_progress;
  o.progress_user_data = &calls;
  CHECK_STATUS(nib_model_load(shared_path("models/stories260K"), &o, &model), NIB_CANCELLED);
  CHECK(calls == 1);
  CHECK(model == NULL);
  CHECK_MESSAGE("nib_model_load: ");
}

static void version(void) {
  CHECK(nib_abi_version() >= 1);
  CHECK(strchr(nib_version(), '.') != NULL);
  CHECK(strcmp(nib_status_name(NIB_OK), "ok") == 0);
  CHECK(strcmp(nib_status_name(NIB_CONTEXT_FULL), "context full") == 0);
}

void test_errors(void) {
  version();
  null_handles();
  bad_folders();
  bad_options();
  cancelled_load();
}
