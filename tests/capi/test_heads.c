/* Task heads through the C ABI: train from arrays, the report, classify with the head attached,
 * save / load, and the errors (wrong base, malformed folder, NULLs, cancelling progress). */
#include <stdlib.h>

#include "check.h"
#include "groups.h"

static const char* const kWords[2][5] = {{"cat", "dog", "horse", "mouse", "bird"},
                                         {"bread", "apple", "cheese", "soup", "rice"}};
static const char* const kLabels[2] = {"animal", "food"};

/* A text of 24-31 words of class c's list (a fixed linear congruential stream). */
static void make_text(char* out, size_t size, int c, unsigned* state) {
  out[0] = '\0';
  *state = *state * 1103515245u + 12345u;
  const unsigned n = 24 + (*state >> 16) % 8;
  for (unsigned w = 0; w < n; ++w) {
    *state = *state * 1103515245u + 12345u;
    if (w) strncat(out, " ", size - strlen(out) - 1);
    strncat(out, kWords[c][(*state >> 16) % 5], size - strlen(out) - 1);
  }
}

static int cancel_at_half(float progress, void* user) {
  (void)user;
  return progress >= 0.5f;
}

void test_heads(void) {
  nib_model* bert = NULL;
  nib_model* llama = NULL;
  CHECK_OK(nib_model_load(shared_path("models/tiny-bert"), NULL, &bert));
  CHECK_OK(nib_model_load(shared_path("models/tiny-llama"), NULL, &llama));
  if (!bert || !llama) return;
  CHECK(nib_abi_version() >= 3);

  enum { N = 60 };
  static char storage[N][512];
  const char* texts[N];
  const char* labels[N];
  unsigned state = 7;
  for (int i = 0; i < N; ++i) {
    make_text(storage[i], sizeof storage[i], i % 2, &state);
    texts[i] = storage[i];
    labels[i] = kLabels[i % 2];
  }
  nib_train_head_options o;
  CHECK_OK(nib_train_head_options_init(&o));
  CHECK(o.folds == 5 && o.l2 > 0 && o.pooling == NIB_POOLING_AUTO);
  nib_head* head = NULL;
  CHECK_OK(nib_train_head(bert, texts, labels, N, &o, &head));
  if (!head) return;

  nib_head_report r = {.struct_size = sizeof r};
  CHECK_OK(nib_head_get_report(head, &r));
  CHECK(r.examples == N && r.folds == 5 && r.label_count == 2);
  CHECK(r.cv_accuracy >= 0.9 && r.cv_accuracy <= 1.0);
  CHECK(r.fit_ms >= 0 && r.feature_ms > 0 && r.iterations > 0);
  CHECK(r.confusion && r.confusion[0] + r.confusion[1] + r.confusion[2] + r.confusion[3] == N);
  CHECK(r.fold_accuracy && r.fold_macro_f1 && r.fold_iterations && r.fold_iterations[4] > 0);
  nib_head_info info = {.struct_size = sizeof info};
  CHECK_OK(nib_head_get_info(head, &info));
  CHECK(info.label_count == 2 && info.feature_dim == 64 && info.hidden_units == 0);
  CHECK(info.pooling == NIB_POOLING_MEAN && !info.multi_label);
  CHECK(strcmp(info.base_architecture, "BertForSequenceClassification") == 0 &&
        strlen(info.base_checksum) == 16);
  const char* label = NULL;
  CHECK_OK(nib_head_label(head, 1, &label));
  CHECK(label && strcmp(label, "food") == 0);
  CHECK_STATUS(nib_head_label(head, 2, &label), NIB_INVALID_ARGUMENT);

  /* Held-out texts through nib_classify with the head attached. */
  nib_session* session = NULL;
  CHECK_OK(nib_session_create(bert, NULL, &session));
  CHECK_OK(nib_session_set_head(session, head));
  char text[512];
  for (int i = 0; i < 10; ++i) {
    make_text(text, sizeof text, i % 2, &state);
    nib_classification c = {.struct_size = sizeof c};
    CHECK_OK(nib_classify(session, text, NULL, &c));
    CHECK(c.label && strcmp(c.label, kLabels[i % 2]) == 0);
    CHECK(c.label_count == 2 && c.scores[0] + c.scores[1] > 0.999f && c.scores[0] + c.scores[1] < 1.001f);
  }

  /* Save, load back: same scores. */
  CHECK_OK(nib_head_save(head, scratch_path("head")));
  nib_head* loaded = NULL;
  CHECK_OK(nib_head_load(bert, scratch_path("head"), &loaded));
  nib_head_report empty = {.struct_size = sizeof empty};
  CHECK_OK(nib_head_get_report(loaded, &empty));
  CHECK(empty.folds == 0 && empty.confusion == NULL);
  nib_classification a = {.struct_size = sizeof a};
  CHECK_OK(nib_classify(session, texts[0], NULL, &a));
  const float first = a.scores[0];
  CHECK_OK(nib_session_set_head(session, loaded));
  nib_head_free(loaded); /* the session keeps it */
  CHECK_OK(nib_classify(session, texts[0], NULL, &a));
  CHECK(a.scores[0] == first);
  CHECK_OK(nib_session_clear_head(session));
  CHECK_OK(nib_classify(session, texts[0], NULL, &a));
  CHECK(a.label_count == 3); /* the model's own classifier again */

  /* Errors. */
  nib_head* wrong = (nib_head*)1;
  CHECK_STATUS(nib_head_load(llama, scratch_path("head"), &wrong), NIB_INVALID_ARGUMENT);
  CHECK_MESSAGE("was trained on a BertForSequenceClassification model");
  CHECK(wrong == NULL);
  CHECK_STATUS(nib_head_load(bert, scratch_path("no-such-head"), &wrong), NIB_IO);
  CHECK_MESSAGE("head_config.json");
  CHECK(write_file(scratch_path("head/head_config.json"), "{\"format\": \"nib-task-head\"") == 0);
  CHECK_STATUS(nib_head_load(bert, scratch_path("head"), &wrong), NIB_FORMAT);
  nib_session* llama_session = NULL;
  CHECK_OK(nib_session_create(llama, NULL, &llama_session));
  CHECK_STATUS(nib_session_set_head(llama_session, head), NIB_INVALID_ARGUMENT);
  CHECK_STATUS(nib_train_head(NULL, texts, labels, N, NULL, &wrong), NIB_INVALID_ARGUMENT);
  CHECK_MESSAGE("model is NULL");
  const char* one_label[2] = {"x", NULL};
  CHECK_STATUS(nib_train_head(bert, texts, one_label, 2, NULL, &wrong), NIB_INVALID_ARGUMENT);
  CHECK_MESSAGE("labels[1] is NULL");
  CHECK_STATUS(nib_train_head(bert, texts, labels, 1, NULL, &wrong), NIB_INVALID_ARGUMENT);
  nib_train_head_options bad = {.struct_size = 0};
  CHECK_STATUS(nib_train_head(bert, texts, labels, N, &bad, &wrong), NIB_INVALID_ARGUMENT);
  CHECK_MESSAGE("struct_size");
  o.pooling = 9;
  CHECK_STATUS(nib_train_head(bert, texts, labels, N, &o, &wrong), NIB_INVALID_ARGUMENT);
  CHECK_MESSAGE("pooling");
  o.pooling = NIB_POOLING_AUTO;
  o.progress = cancel_at_half;
  CHECK_STATUS(nib_train_head(llama, texts, labels, N, &o, &wrong), NIB_CANCELLED);
  CHECK_STATUS(nib_session_set_head(session, NULL), NIB_INVALID_ARGUMENT);
  CHECK_STATUS(nib_head_get_info(NULL, &info), NIB_INVALID_ARGUMENT);
  CHECK_OK(nib_head_free(NULL));

  nib_head_free(head);
  nib_session_free(session);
  nib_session_free(llama_session);
  nib_model_free(bert);
  nib_model_free(llama);
}
