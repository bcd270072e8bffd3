/* Generation, streaming, stopping, cancelling and logits on stories260K (greedy goldens). */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <pthread.h>
#include <stdlib.h>

#include "check.h"
#include "groups.h"

typedef struct {
  char text[4096];
  size_t len;
  int pieces;
  int stop_after;              /* return non-zero after this many pieces; 0: never */
  nib_session* cancel_session; /* cancel this session at the first piece */
} stream_state;

static int collect(const char* piece, size_t len, void* user_data) {
  stream_state* s = user_data;
  if (s->len + len < sizeof s->text) {
    memcpy(s->text + s->len, piece, len);
    s->len += len;
    s->text[s->len] = '\0';
  }
  ++s->pieces;
  if (s->cancel_session && s->pieces == 1) nib_session_cancel(s->cancel_session);
  return s->stop_after && s->pieces >= s->stop_after;
}

static void info(nib_model* model) {
  nib_model_info i = {.struct_size = sizeof i};
  CHECK_OK(nib_model_get_info(model, &i));
  CHECK(strcmp(i.architecture, "LlamaForCausalLM") == 0);
  CHECK(strcmp(i.kind, "causal-lm") == 0);
  CHECK(i.vocab_size == 512 && i.num_layers == 5 && i.hidden_size == 64 && i.max_positions == 512);
  CHECK(i.num_labels == 0);
  const char* label = NULL;
  CHECK_STATUS(nib_model_label(model, 0, &label), NIB_INVALID_ARGUMENT);
}

/* The greedy goldens, with the default (f32) KV cache or `kv_cache_type`'s. */
static void greedy_goldens_with(nib_model* model, int32_t kv_cache_type) {
  const char* golden = shared_path("models/stories260K/golden/greedy.json");
  char file[4096];
  snprintf(file, sizeof file, "%s", golden);
  nib_session_options so;
  CHECK_OK(nib_session_options_init(&so));
  CHECK(so.kv_cache_type == NIB_KV_CACHE_F32);
  so.kv_cache_type = kv_cache_type;
  nib_session* session = NULL;
  CHECK_OK(nib_session_create(model, &so, &session));
  for (int i = 0;; ++i) {
    char* prompt = json_string_at(file, "\"prompts\"", "prompt", i);
    char* want = json_string_at(file, "\"prompts\"", "generated_text", i);
    if (!prompt || !want) {
      CHECK(i > 0);
      free(prompt);
      free(want);
      break;
    }
    nib_generate_options o;
    CHECK_OK(nib_generate_options_init(&o));
    o.max_new_tokens = 64;
    o.stop_at_eos = 0;
    stream_state st = {{0}, 0, 0, 0, NULL};
    o.stream = collect;
    o.stream_user_data = &st;
    nib_generation g = {.struct_size = sizeof g};
    CHECK_OK(nib_generate(session, prompt, &o, &g));
    CHECK(g.count == 64);
    CHECK(g.stop_reason == NIB_STOP_MAX_TOKENS);
    CHECK(g.prompt_count > 0 && g.prompt_ids[0] == 1);
    CHECK(strcmp(g.text, want) == 0);
    CHECK(strcmp(st.text, g.text) == 0);
    CHECK(st.pieces > 1);
    free(prompt);
    free(want);
  }
  nib_session_free(session);
}

static void greedy_goldens(nib_model* model) {
  greedy_goldens_with(model, NIB_KV_CACHE_F32);
}

/* An f16 KV cache (ABI 4) keeps stories260K's greedy goldens; a value outside the enum is refused. */
static void kv_cache_f16(nib_model* model) {
  CHECK(nib_abi_version() >= 4);
  greedy_goldens_with(model, NIB_KV_CACHE_F16);
  nib_session_options so;
  CHECK_OK(nib_session_options_init(&so));
  so.kv_cache_type = 2;
  nib_session* session = NULL;
  CHECK_STATUS(nib_session_create(model, &so, &session), NIB_INVALID_ARGUMENT);
  CHECK_MESSAGE("options->kv_cache_type 2 is not a nib_kv_cache_type");
  CHECK(session == NULL);
}

static void stopping(nib_model* model) {
  nib_session* session = NULL;
  CHECK_OK(nib_session_create(model, NULL, &session));
  nib_generate_options o;
  CHECK_OK(nib_generate_options_init(&o));
  o.max_new_tokens = 40;
  o.stop_at_eos = 0;
  nib_generation g = {.struct_size = sizeof g};

  /* The stream callback stops it. */
  stream_state st = {{0}, 0, 0, 2, NULL};
  o.stream = collect;
  o.stream_user_data = &st;
  CHECK_OK(nib_generate(session, "Once upon a time", &o, &g));
  CHECK(g.stop_reason == NIB_STOP_CALLBACK);
  CHECK(st.pieces == 2);

  /* nib_session_cancel stops it with the text so far. */
  stream_state cancel = {{0}, 0, 0, 0, session};
  o.stream_user_data = &cancel;
  CHECK_OK(nib_generate(session, "Once upon a time", &o, &g));
  CHECK(g.stop_reason == NIB_STOP_CANCELLED);
  CHECK(g.count < 40);
  o.stream = NULL;

  /* A stop string. */
  const char* stops[] = {"Lily"};
  o.stop = stops;
  o.stop_count = 1;
  CHECK_OK(nib_generate(session, "Once upon a time", &o, &g));
  CHECK(g.stop_reason == NIB_STOP_STRING);
  CHECK(strstr(g.text, "Lily") == NULL);
  const char* null_stops[] = {NULL};
  o.stop = null_stops;
  CHECK_STATUS(nib_generate(session, "Once upon a time", &o, &g), NIB_INVALID_ARGUMENT);
  CHECK_MESSAGE("stop[0]");
  o.stop = NULL;
  CHECK_STATUS(nib_generate(session, "Once upon a time", &o, &g), NIB_INVALID_ARGUMENT);
  o.stop_count = 0;

  /* Impossible sampling options. */
  o.top_p = 0.f;
  CHECK_STATUS(nib_generate(session, "Once upon a time", &o, &g), NIB_INVALID_ARGUMENT);
  o.top_p = 1.f;
  o.max_new_tokens = -1;
  CHECK_STATUS(nib_generate(session, "Once upon a time", &o, &g), NIB_INVALID_ARGUMENT);
  o.max_new_tokens = 4;
  o.logit_bias_count = 1;
  CHECK_STATUS(nib_generate(session, "Once upon a time", &o, &g), NIB_INVALID_ARGUMENT);
  CHECK_MESSAGE("logit_bias");
  o.logit_bias_count = 0;

  /* Sampling with a seed is reproducible. */
  o.temperature = 0.8f;
  o.seed = 7;
  o.max_new_tokens = 12;
  CHECK_OK(nib_session_reset(session));
  CHECK_OK(nib_generate(session, "Once upon a time", &o, &g));
  char first[4096];
  snprintf(first, sizeof first, "%s", g.text);
  CHECK_OK(nib_session_reset(session));
  CHECK_OK(nib_generate(session, "Once upon a time", &o, &g));
  CHECK(strcmp(first, g.text) == 0);
  nib_session_free(session);
}

static void context_full(nib_model* model) {
  nib_session_options so;
  CHECK_OK(nib_session_options_init(&so));
  so.n_ctx = 4;
  nib_session* session = NULL;
  CHECK_OK(nib_session_create(model, &so, &session));
  nib_generation g = {.struct_size = sizeof g};
  CHECK_STATUS(nib_generate(session, "Once upon a time there was", NULL, &g), NIB_CONTEXT_FULL);
  CHECK_MESSAGE("nib_generate: ");
  nib_session_free(session);

  so.n_ctx = 8;
  CHECK_OK(nib_session_create(model, &so, &session));
  nib_generate_options o;
  CHECK_OK(nib_generate_options_init(&o));
  o.max_new_tokens = 20;
  o.stop_at_eos = 0;
  CHECK_OK(nib_generate(session, "Once upon a time", &o, &g));
  CHECK(g.stop_reason == NIB_STOP_CONTEXT_FULL);
  nib_session_free(session);

  so.n_ctx = -1;
  CHECK_STATUS(nib_session_create(model, &so, &session), NIB_INVALID_ARGUMENT);
  CHECK(session == NULL);
}

typedef struct {
  pthread_mutex_t mutex;
  pthread_cond_t cond;
  int started, cancelled;
  nib_session* session;
} cross_thread;

static int wait_for_cancel(const char* piece, size_t len, void* user_data) {
  (void)piece;
  (void)len;
  cross_thread* c = user_data;
  pthread_mutex_lock(&c->mutex);
  c->started = 1;
  pthread_cond_broadcast(&c->cond);
  while (!c->cancelled) pthread_cond_wait(&c->cond, &c->mutex);
  pthread_mutex_unlock(&c->mutex);
  return 0;
}

static void* canceller(void* arg) {
  cross_thread* c = arg;
  pthread_mutex_lock(&c->mutex);
  while (!c->started) pthread_cond_wait(&c->cond, &c->mutex);
  nib_session_cancel(c->session); /* from another thread, while generating */
  c->cancelled = 1;
  pthread_cond_broadcast(&c->cond);
  pthread_mutex_unlock(&c->mutex);
  return NULL;
}

static void cancel_from_thread(nib_model* model) {
  cross_thread c = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, NULL};
  CHECK_OK(nib_session_create(model, NULL, &c.session));
  pthread_t t;
  pthread_create(&t, NULL, canceller, &c);
  nib_generate_options o;
  CHECK_OK(nib_generate_options_init(&o));
  o.max_new_tokens = 200;
  o.stop_at_eos = 0;
  o.stream = wait_for_cancel;
  o.stream_user_data = &c;
  nib_generation g = {.struct_size = sizeof g};
  CHECK_OK(nib_generate(c.session, "Once upon a time", &o, &g));
  pthread_join(t, NULL);
  CHECK(g.stop_reason == NIB_STOP_CANCELLED);
  CHECK(g.count < 200);
  nib_session_free(c.session);
}

static void logits(nib_model* model) {
  nib_session* session = NULL;
  CHECK_OK(nib_session_create(model, NULL, &session));
  const nib_token ids[] = {1, 403, 407, 261, 378};
  const int64_t positions[] = {0, 4};
  const float* rows = NULL;
  size_t vocab = 0;
  CHECK_OK(nib_logits(session, ids, 5, positions, 2, &rows, &vocab));
  CHECK(vocab == 512);
  if (vocab == 512) {
    size_t best = 0;
    for (size_t v = 1; v < vocab; ++v)
      if (rows[vocab + v] > rows[vocab + best]) best = v;
    CHECK(best == 432); /* the golden's first greedy id */
    CHECK(fabsf(rows[1] - 8.404341697692871f) < 1e-3f);
  }
  const int64_t bad[] = {5};
  CHECK_STATUS(nib_logits(session, ids, 5, bad, 1, &rows, &vocab), NIB_INVALID_ARGUMENT);
  CHECK_STATUS(nib_logits(session, ids, 5, NULL, 1, &rows, &vocab), NIB_INVALID_ARGUMENT);

  /* Encoder tasks on a causal LM are refused. */
  nib_classification cls = {.struct_size = sizeof cls};
  CHECK_STATUS(nib_classify(session, "hello", NULL, &cls), NIB_INVALID_ARGUMENT);
  nib_session_free(session);
}

void test_causal(void) {
  nib_model* model = NULL;
  CHECK_OK(nib_model_load(shared_path("models/stories260K"), NULL, &model));
  if (!model) return;
  info(model);
  greedy_goldens(model);
  kv_cache_f16(model);
  stopping(model);
  context_full(model);
  cancel_from_thread(model);
  logits(model);
  nib_model_free(model);
}
