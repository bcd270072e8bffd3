/* Encoder tasks: classify (single, batch, older stride), fill-mask, embed, tag, and refusals. */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>

#include "check.h"
#include "groups.h"

static const char* const texts[] = {"I loved this movie, it was fantastic!", "Terrible plot.",
                                    "It was fine."};

static void classify(void) {
  nib_model* model = NULL;
  nib_session* session = NULL;
  CHECK_OK(nib_model_load(shared_path("models/tiny-bert"), NULL, &model));
  if (!model) return;
  CHECK_OK(nib_session_create(model, NULL, &session));

  nib_model_info info = {.struct_size = sizeof info};
  CHECK_OK(nib_model_get_info(model, &info));
  CHECK(strcmp(info.kind, "encoder") == 0 && info.num_labels == 3);
  const char* label = NULL;
  CHECK_OK(nib_model_label(model, 0, &label));
  CHECK(label && strcmp(label, "negative") == 0);

  char golden[4096];
  snprintf(golden, sizeof golden, "%s", shared_path("models/tiny-bert/golden/classification.json"));
  char* text = json_string_at(golden, "\"single\"", "text", 0);
  char* want = json_string_at(golden, "\"single\"", "label", 0);
  nib_classification c = {.struct_size = sizeof c};
  CHECK_OK(nib_classify(session, text, NULL, &c));
  CHECK(c.label && want && strcmp(c.label, want) == 0);
  CHECK(c.label_count == 3 && strcmp(c.labels[c.label_index], c.label) == 0);
  float sum = 0;
  for (size_t i = 0; i < c.label_count; ++i) sum += c.scores[i];
  CHECK(fabsf(sum - 1.f) < 1e-4f);
  free(text);
  free(want);

  /* Batch at the stride of an older, smaller nib_classification (without scores/logits). */
  nib_classification singles[3];
  for (int i = 0; i < 3; ++i) {
    nib_classification one = {.struct_size = sizeof one};
    CHECK_OK(nib_classify(session, texts[i], NULL, &one));
    singles[i].label_index = one.label_index;
  }
  const size_t old_size = offsetof(nib_classification, scores);
  unsigned char* buf = calloc(3, old_size);
  ((nib_classification*)buf)->struct_size = old_size;
  CHECK_OK(nib_classify_batch(session, texts, 3, NULL, (nib_classification*)buf));
  for (int i = 0; i < 3; ++i) {
    nib_classification* item = (nib_classification*)(buf + i * old_size);
    CHECK(item->struct_size == old_size);
    CHECK(item->label_count == 3 && item->label_index == singles[i].label_index);
  }
  free(buf);
  nib_classification full[3] = {{.struct_size = sizeof(nib_classification)}};
  CHECK_OK(nib_classify_batch(session, texts, 3, NULL, full));
  CHECK(full[2].label_index == singles[2].label_index && full[2].scores != NULL);
  CHECK_OK(nib_classify_batch(session, texts, 0, NULL, NULL));
  const char* const with_null[] = {"a", NULL};
  CHECK_STATUS(nib_classify_batch(session, with_null, 2, NULL, full), NIB_INVALID_ARGUMENT);
  CHECK_MESSAGE("texts[1]");

  /* Tasks this head cannot do, and impossible options. */
  nib_fill_mask_result fill = {.struct_size = sizeof fill};
  CHECK_STATUS(nib_fill_mask(session, "a [MASK]", NULL, &fill), NIB_INVALID_ARGUMENT);
  nib_tags tags = {.struct_size = sizeof tags};
  CHECK_STATUS(nib_tag_tokens(session, "a b", NULL, &tags), NIB_INVALID_ARGUMENT);
  nib_generation g = {.struct_size = sizeof g};
  CHECK(nib_generate(session, "hello", NULL, &g) != NIB_OK);
  nib_task_options o;
  CHECK_OK(nib_task_options_init(&o));
  o.pooling = 9;
  const float* v = NULL;
  size_t dim = 0;
  CHECK_STATUS(nib_embed(session, "x", &o, &v, &dim), NIB_INVALID_ARGUMENT);
  CHECK_MESSAGE("pooling");

  /* Inputs longer than the model: cut by default, refused when asked. */
  size_t n = 4000;
  char* longtext = malloc(n + 1);
  for (size_t i = 0; i < n; i += 2) memcpy(longtext + i, "a ", 2);
  longtext[n] = '\0';
  CHECK_OK(nib_classify(session, longtext, NULL, &c));
  CHECK_OK(nib_task_options_init(&o));
  o.truncate = 0;
  CHECK(nib_classify(session, longtext, &o, &c) != NIB_OK);
  free(longtext);

  nib_session_free(session);
  nib_model_free(model);
}

static void embed(void) {
  nib_model* model = NULL;
  nib_session* session = NULL;
  CHECK_OK(nib_model_load(shared_path("models/tiny-bert"), NULL, &model));
  if (!model) return;
  CHECK_OK(nib_session_create(model, NULL, &session));
  nib_task_options o;
  CHECK_OK(nib_task_options_init(&o));
  o.pooling = NIB_POOLING_MEAN;
  o.normalize = 1;
  const float* v = NULL;
  size_t dim = 0;
  CHECK_OK(nib_embed(session, texts[1], &o, &v, &dim));
  CHECK(dim == 64);
  float single[64] = {0};
  double norm = 0;
  for (size_t i = 0; i < dim && i < 64; ++i) {
    single[i] = v[i];
    norm += (double)v[i] * v[i];
  }
  CHECK(fabs(norm - 1.0) < 1e-4);
  CHECK_OK(nib_embed_batch(session, texts, 3, &o, &v, &dim));
  CHECK(dim == 64);
  for (size_t i = 0; i < dim && i < 64; ++i) CHECK(fabsf(v[dim + i] - single[i]) < 1e-4f);
  nib_session_free(session);
  nib_model_free(model);
}

static void fill_mask(void) {
  nib_model* model = NULL;
  nib_session* session = NULL;
  nib_tokenizer* tok = NULL;
  CHECK_OK(nib_model_load(shared_path("models/tiny-bert-mlm"), NULL, &model));
  if (!model) return;
  CHECK_OK(nib_session_create(model, NULL, &session));
  CHECK_OK(nib_model_tokenizer(model, &tok));
  char golden[4096];
  snprintf(golden, sizeof golden, "%s", shared_path("models/tiny-bert-mlm/golden/fill_mask.json"));
  char* text = json_string_at(golden, "\"cases\"", "text", 0);
  nib_task_options o;
  CHECK_OK(nib_task_options_init(&o));
  o.top_k = 3;
  nib_fill_mask_result r = {.struct_size = sizeof r};
  CHECK_OK(nib_fill_mask(session, text, &o, &r));
  CHECK(r.count == 3);
  for (size_t i = 0; i < r.count; ++i) {
    char* token = NULL;
    CHECK_OK(nib_tokenizer_id_to_token(tok, r.ids[i], &token));
    CHECK(token && strcmp(token, r.tokens[i]) == 0);
    nib_string_free(token);
    CHECK(i == 0 || r.scores[i] <= r.scores[i - 1]);
    CHECK(strstr(r.sequences[i], "[MASK]") == NULL);
  }
  o.top_k = 0;
  CHECK_STATUS(nib_fill_mask(session, text, &o, &r), NIB_INVALID_ARGUMENT);
  CHECK_MESSAGE("top_k");
  free(text);
  nib_tokenizer_free(tok);
  nib_session_free(session);
  nib_model_free(model);
}

void test_encoder(void) {
  classify();
  embed();
  fill_mask();
}
