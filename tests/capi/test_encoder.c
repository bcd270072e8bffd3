/* Encoder tasks: classify (single, batch, older stride), fill-mask, embed, tag (single and batch),
 * and refusals. */
#define _XOPEN_SOURCE 700
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* nib_fill_mask_batch gives each golden case's top-5 ids and the single calls' results, also at
 * the stride of an older struct; refuses NULL texts, a NULL element and a text without a mask. */
static void fill_mask_batch(void) {
  nib_model* model = NULL;
  nib_session* session = NULL;
  CHECK_OK(nib_model_load(shared_path("models/tiny-bert-mlm"), NULL, &model));
  if (!model) return;
  CHECK_OK(nib_session_create(model, NULL, &session));
  char golden[4096];
  snprintf(golden, sizeof golden, "%s", shared_path("models/tiny-bert-mlm/golden/fill_mask.json"));
  enum { N = 3, K = 5 };
  char* cases[N] = {NULL};
  nib_token single_ids[N][K];
  float single_scores[N][K];
  for (int i = 0; i < N; ++i) {
    cases[i] = json_string_at(golden, "\"cases\"", "text", i);
    CHECK(cases[i] != NULL);
    if (!cases[i]) return;
    nib_fill_mask_result one = {.struct_size = sizeof one};
    CHECK_OK(nib_fill_mask(session, cases[i], NULL, &one));
    CHECK(one.count == K);
    for (size_t k = 0; k < K && k < one.count; ++k) {
      single_ids[i][k] = one.ids[k];
      single_scores[i][k] = one.scores[k];
    }
  }
  const char* const* texts_in = (const char* const*)cases;
  nib_fill_mask_result batch[N] = {{.struct_size = sizeof(nib_fill_mask_result)}};
  CHECK_OK(nib_fill_mask_batch(session, texts_in, N, NULL, batch));
  for (int i = 0; i < N; ++i) {
    CHECK(batch[i].struct_size == sizeof(nib_fill_mask_result));
    CHECK(batch[i].count == K);
    /* The golden's top-5 ids, in order: `"top5_ids":[a,b,...]` of case i. */
    const char* doc_key = "\"top5_ids\":[";
    FILE* f = fopen(golden, "rb");
    char doc[8192] = {0};
    if (f) {
      CHECK(fread(doc, 1, sizeof doc - 1, f) > 0);
      fclose(f);
    }
    const char* p = doc;
    for (int skip = 0; p && skip <= i; ++skip) {
      p = strstr(p, doc_key);
      if (p) p += strlen(doc_key);
    }
    CHECK(p != NULL);
    for (size_t k = 0; p && k < K && k < batch[i].count; ++k) {
      long want = strtol(p, (char**)&p, 10);
      if (*p == ',') ++p;
      CHECK(batch[i].ids[k] == want);
      CHECK(batch[i].ids[k] == single_ids[i][k]);
      CHECK(fabsf(batch[i].scores[k] - single_scores[i][k]) < 1e-6f);
      CHECK(strstr(batch[i].sequences[k], "[MASK]") == NULL);
    }
  }
  /* An older caller's struct (without logits) at its own stride. */
  const size_t old_size = offsetof(nib_fill_mask_result, logits);
  unsigned char* buf = calloc(N, old_size);
  ((nib_fill_mask_result*)buf)->struct_size = old_size;
  CHECK_OK(nib_fill_mask_batch(session, texts_in, N, NULL, (nib_fill_mask_result*)buf));
  for (int i = 0; i < N; ++i) {
    const nib_fill_mask_result* item = (const nib_fill_mask_result*)(buf + i * old_size);
    CHECK(item->struct_size == old_size && item->count == K && item->ids[0] == single_ids[i][0]);
  }
  free(buf);

  CHECK_OK(nib_fill_mask_batch(session, NULL, 0, NULL, NULL));
  CHECK_STATUS(nib_fill_mask_batch(session, NULL, 2, NULL, batch), NIB_INVALID_ARGUMENT);
  CHECK_MESSAGE("texts is NULL");
  const char* const with_null[] = {cases[0], NULL};
  CHECK_STATUS(nib_fill_mask_batch(session, with_null, 2, NULL, batch), NIB_INVALID_ARGUMENT);
  CHECK_MESSAGE("texts[1]");
  const char* const no_mask[] = {cases[0], "no mask here"};
  CHECK_STATUS(nib_fill_mask_batch(session, no_mask, 2, NULL, batch), NIB_INVALID_ARGUMENT);
  CHECK_MESSAGE("nib_fill_mask_batch");
  nib_task_options o;
  CHECK_OK(nib_task_options_init(&o));
  o.top_k = 0;
  CHECK_STATUS(nib_fill_mask_batch(session, texts_in, N, &o, batch), NIB_INVALID_ARGUMENT);
  CHECK_MESSAGE("top_k");
  CHECK_STATUS(nib_fill_mask_batch(session, texts_in, N, NULL, NULL), NIB_INVALID_ARGUMENT);
  nib_fill_mask_result unset = {0};
  CHECK_STATUS(nib_fill_mask_batch(session, texts_in, N, NULL, &unset), NIB_INVALID_ARGUMENT);
  CHECK_MESSAGE("struct_size");
  for (int i = 0; i < N; ++i) free(cases[i]);
  nib_session_free(session);
  nib_model_free(model);
}

/* A token-classification folder derived from tiny-bert (its [3, 64] classifier fits a token head):
 * the shared files linked, config.json with the token-classification architecture. */
static const char* token_classification_folder(void) {
  static char dir[4096];
  snprintf(dir, sizeof dir, "%s", scratch_path("tiny-bert-token-classification"));
  mkdir(dir, 0755);
  static const char* const files[] = {"model.safetensors", "tokenizer.json", "tokenizer_config.json",
                                      "special_tokens_map.json", "vocab.txt"};
  char target[4096], link[4096 + 64];
  for (size_t i = 0; i < sizeof files / sizeof files[0]; ++i) {
    char rel[256];
    snprintf(rel, sizeof rel, "models/tiny-bert/%s", files[i]);
    const char* shared = shared_path(rel);
    if (shared[0] == '/')
      snprintf(target, sizeof target, "%s", shared);
    else if (!realpath(shared, target))
      return NULL;
    snprintf(link, sizeof link, "%s/%s", dir, files[i]);
    unlink(link);
    if (symlink(target, link) != 0) return NULL;
  }
  snprintf(link, sizeof link, "%s/config.json", dir);
  if (write_file(link,
                 "{\"architectures\": [\"BertForTokenClassification\"], \"hidden_size\": 64,"
                 " \"id2label\": {\"0\": \"O\", \"1\": \"B-PER\", \"2\": \"I-PER\"},"
                 " \"intermediate_size\": 128, \"max_position_embeddings\": 512, \"model_type\": \"bert\","
                 " \"num_attention_heads\": 4, \"num_hidden_layers\": 2, \"pad_token_id\": 0,"
                 " \"type_vocab_size\": 2, \"vocab_size\": 30522, \"layer_norm_eps\": 1e-12,"
                 " \"hidden_act\": \"gelu\"}") != 0)
    return NULL;
  return dir;
}

static int same_tags(const nib_tags* a, const nib_tags* b) {
  if (a->count != b->count) return 0;
  for (size_t i = 0; i < a->count; ++i) {
    if (strcmp(a->labels[i], b->labels[i]) != 0 || strcmp(a->texts[i], b->texts[i]) != 0 ||
        a->starts[i] != b->starts[i] || a->ends[i] != b->ends[i] ||
        fabsf(a->scores[i] - b->scores[i]) > 1e-6f)
      return 0;
  }
  return 1;
}

/* nib_tag_tokens and nib_tag_tokens_batch agree text by text (per token and per word group). */
static void tag_tokens(void) {
  const char* dir = token_classification_folder();
  CHECK(dir != NULL);
  if (!dir) return;
  nib_model* model = NULL;
  nib_session* session = NULL;
  CHECK_OK(nib_model_load(dir, NULL, &model));
  if (!model) return;
  CHECK_OK(nib_session_create(model, NULL, &session));
  nib_model_info info = {.struct_size = sizeof info};
  CHECK_OK(nib_model_get_info(model, &info));
  CHECK(strcmp(info.head, "token-classification") == 0);

  static const char* const tag_texts[] = {"John Smith lives in Paris", "", "Marie went to Berlin yesterday"};
  enum { N = 3 };
  nib_task_options o;
  CHECK_OK(nib_task_options_init(&o));
  for (int aggregation = NIB_AGGREGATION_NONE; aggregation <= NIB_AGGREGATION_MAX; ++aggregation) {
    o.aggregation = aggregation;
    nib_tags batch[N] = {{.struct_size = sizeof(nib_tags)}};
    CHECK_OK(nib_tag_tokens_batch(session, tag_texts, N, &o, batch));
    /* Copy the batch out: the single calls below end its lifetime. */
    nib_tags copies[N];
    char* label_store[N][64];
    char* text_store[N][64];
    float scores[N][64];
    int64_t starts[N][64], ends[N][64];
    size_t total = 0;
    for (int i = 0; i < N; ++i) {
      CHECK(batch[i].count < 64);
      copies[i] = batch[i];
      for (size_t k = 0; k < batch[i].count && k < 64; ++k) {
        label_store[i][k] = strcpy(malloc(strlen(batch[i].labels[k]) + 1), batch[i].labels[k]);
        text_store[i][k] = strcpy(malloc(strlen(batch[i].texts[k]) + 1), batch[i].texts[k]);
        scores[i][k] = batch[i].scores[k];
        starts[i][k] = batch[i].starts[k];
        ends[i][k] = batch[i].ends[k];
        CHECK(strcmp(batch[i].labels[k], "O") != 0);
      }
      copies[i].labels = (const char* const*)label_store[i];
      copies[i].texts = (const char* const*)text_store[i];
      copies[i].scores = scores[i];
      copies[i].starts = starts[i];
      copies[i].ends = ends[i];
      total += batch[i].count;
    }
    CHECK(total > 0);
    for (int i = 0; i < N; ++i) {
      nib_tags one = {.struct_size = sizeof one};
      CHECK_OK(nib_tag_tokens(session, tag_texts[i], &o, &one));
      CHECK(same_tags(&copies[i], &one));
      for (size_t k = 0; k < copies[i].count && k < 64; ++k) {
        free(label_store[i][k]);
        free(text_store[i][k]);
      }
    }
  }
  nib_tags tags[N] = {{.struct_size = sizeof(nib_tags)}};
  CHECK_OK(nib_tag_tokens_batch(session, NULL, 0, NULL, NULL));
  CHECK_STATUS(nib_tag_tokens_batch(session, NULL, 1, NULL, tags), NIB_INVALID_ARGUMENT);
  CHECK_MESSAGE("texts is NULL");
  const char* const with_null[] = {"a", "b", NULL};
  CHECK_STATUS(nib_tag_tokens_batch(session, with_null, 3, NULL, tags), NIB_INVALID_ARGUMENT);
  CHECK_MESSAGE("texts[2]");
  o.aggregation = 7;
  CHECK_STATUS(nib_tag_tokens_batch(session, tag_texts, N, &o, tags), NIB_INVALID_ARGUMENT);
  CHECK_MESSAGE("aggregation");
  tags[0].struct_size = 3; /* not a multiple of the struct's alignment */
  CHECK_STATUS(nib_tag_tokens_batch(session, tag_texts, N, NULL, tags), NIB_INVALID_ARGUMENT);
  CHECK_MESSAGE("struct_size");
  nib_session_free(session);
  nib_model_free(model);

  /* A model without a token-classification head refuses the batch as it refuses one text. */
  CHECK_OK(nib_model_load(shared_path("models/tiny-bert"), NULL, &model));
  if (!model) return;
  CHECK_OK(nib_session_create(model, NULL, &session));
  tags[0].struct_size = sizeof(nib_tags);
  CHECK_STATUS(nib_tag_tokens_batch(session, tag_texts, N, NULL, tags), NIB_INVALID_ARGUMENT);
  CHECK_MESSAGE("nib_tag_tokens_batch");
  nib_session_free(session);
  nib_model_free(model);
}

void test_encoder(void) {
  classify();
  embed();
  fill_mask();
  fill_mask_batch();
  tag_tokens();
}
