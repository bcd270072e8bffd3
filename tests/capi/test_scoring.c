/* nib_session_score / nib_session_choose / nib_session_chat on stories260K: scores equal the
 * log-softmax of nib_logits at the same positions, choose is decisive and normalised, chat adds
 * one BOS and reuses the first turn, bad arguments are statuses. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "groups.h"

static const char* const kStory = "Once upon a time, there was a little girl named Lily. She";

static double log_softmax_at(const float* row, size_t vocab, nib_token id) {
  double top = row[0], sum = 0;
  for (size_t i = 1; i < vocab; ++i) top = row[i] > top ? row[i] : top;
  for (size_t i = 0; i < vocab; ++i) sum += exp((double)row[i] - top);
  return (double)row[id] - top - log(sum);
}

static void score_equals_logits(nib_model* model) {
  const char* const continuations[] = {" loved to play.", " car blue the."};
  nib_session* scorer = NULL;
  nib_session* reference = NULL;
  CHECK_OK(nib_session_create(model, NULL, &scorer));
  CHECK_OK(nib_session_create(model, NULL, &reference));
  nib_tokenizer* tok = NULL;
  CHECK_OK(nib_model_tokenizer(model, &tok));
  nib_encoding* enc = NULL;
  CHECK_OK(nib_tokenizer_encode(tok, kStory, strlen(kStory), 1, &enc));
  const nib_token* prompt_ids = NULL;
  size_t prompt_count = 0;
  CHECK_OK(nib_encoding_ids(enc, &prompt_ids, &prompt_count));

  nib_continuation_score scores[2] = {{.struct_size = sizeof scores[0]}};
  CHECK_OK(nib_session_score(scorer, kStory, continuations, 2, scores));
  for (int c = 0; c < 2; ++c) {
    const nib_continuation_score* s = &scores[c];
    CHECK(s->struct_size == sizeof *s && s->count > 0);
    nib_token all[128];
    int64_t positions[64];
    CHECK(prompt_count + s->count < 128);
    memcpy(all, prompt_ids, prompt_count * sizeof *all);
    memcpy(all + prompt_count, s->ids, s->count * sizeof *all);
    for (size_t i = 0; i < s->count; ++i) positions[i] = (int64_t)(prompt_count + i) - 1;
    const float* rows = NULL;
    size_t vocab = 0;
    CHECK_OK(nib_logits(reference, all, prompt_count + s->count, positions, s->count, &rows, &vocab));
    CHECK(vocab == 512);
    double sum = 0;
    for (size_t i = 0; i < s->count; ++i) {
      const double want = log_softmax_at(rows + i * vocab, vocab, s->ids[i]);
      CHECK(fabs(s->token_logprobs[i] - want) <= 1e-4);
      sum += want;
    }
    CHECK(fabs(s->logprob - sum) <= 1e-4);
  }
  CHECK(scores[0].logprob > scores[1].logprob);
  nib_encoding_free(enc);
  nib_tokenizer_free(tok);
  nib_session_free(reference);
  nib_session_free(scorer);
}

static void choose(nib_model* model) {
  const char* const choices[] = {" loved to play outside with her friends.",
                                 " table purple quickly the of sang."};
  nib_session* session = NULL;
  CHECK_OK(nib_session_create(model, NULL, &session));
  nib_choice out[2] = {{.struct_size = sizeof out[0]}};
  CHECK_OK(nib_session_choose(session, kStory, choices, 2, NULL, out));
  CHECK(out[0].probability > 0.9);
  CHECK(fabs(out[0].probability + out[1].probability - 1) < 1e-9);
  CHECK(fabs(out[0].probability - 1 / (1 + exp(out[1].logprob - out[0].logprob))) < 1e-9);
  CHECK(out[1].tokens > 0 && fabs(out[1].mean_logprob - out[1].logprob / (double)out[1].tokens) < 1e-9);

  nib_choose_options o;
  CHECK_OK(nib_choose_options_init(&o));
  CHECK(o.normalization == NIB_NORMALIZE_SUM);
  o.normalization = NIB_NORMALIZE_MEAN;
  CHECK_OK(nib_session_choose(session, kStory, choices, 2, &o, out));
  CHECK(fabs(out[0].probability - 1 / (1 + exp(out[1].mean_logprob - out[0].mean_logprob))) < 1e-9);

  /* Bad arguments are statuses with a message. */
  o.normalization = 7;
  CHECK_STATUS(nib_session_choose(session, kStory, choices, 2, &o, out), NIB_INVALID_ARGUMENT);
  CHECK_MESSAGE("normalization");
  CHECK_STATUS(nib_session_choose(session, kStory, choices, 0, NULL, out), NIB_INVALID_ARGUMENT);
  const char* const with_null[] = {" a", NULL};
  CHECK_STATUS(nib_session_choose(session, kStory, with_null, 2, NULL, out), NIB_INVALID_ARGUMENT);
  CHECK_MESSAGE("choices[1]");
  const char* const with_empty[] = {" a", ""};
  nib_continuation_score scores[2] = {{.struct_size = sizeof scores[0]}};
  CHECK_STATUS(nib_session_score(session, kStory, with_empty, 2, scores), NIB_INVALID_ARGUMENT);
  CHECK_MESSAGE("empty");
  nib_choice unset[2] = {{.struct_size = 0}};
  CHECK_STATUS(nib_session_choose(session, kStory, choices, 2, NULL, unset), NIB_INVALID_ARGUMENT);
  CHECK_STATUS(nib_session_score(NULL, kStory, choices, 2, scores), NIB_INVALID_ARGUMENT);
  nib_session_free(session);
}

/* classify_in_context: its probabilities are nib_session_choose's over its continuations after its
 * prompt; an older (smaller) options struct keeps the defaults; bad arguments are statuses. */
static void in_context(nib_model* model) {
  const nib_labelled_example examples[] = {{"The dog ran to the park.", "animal"},
                                           {"The car drove down the road.", "vehicle"},
                                           {"A cat slept in the sun.", "animal"}};
  nib_session* session = NULL;
  nib_session* reference = NULL;
  CHECK_OK(nib_session_create(model, NULL, &session));
  CHECK_OK(nib_session_create(model, NULL, &reference));
  nib_in_context_options o;
  CHECK_OK(nib_in_context_options_init(&o));
  CHECK(o.struct_size == sizeof o && o.normalization == NIB_NORMALIZE_SUM && !o.separator);
  o.instruction = "Sort each sentence.\n";
  for (int normalization = NIB_NORMALIZE_SUM; normalization <= NIB_NORMALIZE_MEAN; ++normalization) {
    o.normalization = normalization;
    nib_in_context_classification r = {.struct_size = sizeof r};
    CHECK_OK(nib_session_classify_in_context(session, examples, 3, "A bird sang in the tree.", &o, &r));
    CHECK(r.label_count == 2);
    if (r.label_count != 2) break;
    CHECK(strcmp(r.labels[0], "animal") == 0 && strcmp(r.labels[1], "vehicle") == 0);
    CHECK(strcmp(r.continuations[0], "animal |") == 0 && strcmp(r.continuations[1], "vehicle |") == 0);
    CHECK(strcmp(r.label, r.labels[r.label_index]) == 0);
    CHECK(strncmp(r.prompt, "Sort each sentence.\nThe dog ran to the park. | animal |\n", 56) == 0);
    CHECK(strstr(r.prompt, "A bird sang in the tree. |") != NULL);
    CHECK(fabs(r.probabilities[0] + r.probabilities[1] - 1) < 1e-9);
    CHECK(r.probabilities[r.label_index] >= r.probabilities[1 - r.label_index]);
    nib_choose_options co;
    CHECK_OK(nib_choose_options_init(&co));
    co.normalization = normalization;
    nib_choice want[2] = {{.struct_size = sizeof want[0]}};
    CHECK_OK(nib_session_choose(reference, r.prompt, r.continuations, 2, &co, want));
    for (int i = 0; i < 2; ++i) {
      CHECK(fabs(r.probabilities[i] - want[i].probability) < 1e-9);
      CHECK(fabs(r.logprobs[i] - want[i].logprob) < 1e-9);
      CHECK(fabs(r.mean_logprobs[i] - want[i].mean_logprob) < 1e-9);
      CHECK(r.tokens[i] == want[i].tokens);
    }
  }

  /* An older caller's options (only struct_size and instruction) get the defaults after it, and an
   * older result struct (up to the labels) is filled up to its size. */
  nib_in_context_options old = o;
  old.struct_size = offsetof(nib_in_context_options, separator);
  old.instruction = NULL;
  old.separator = "MUST NOT BE READ";
  const size_t old_out_size = offsetof(nib_in_context_classification, continuations);
  unsigned char buf[sizeof(nib_in_context_classification)];
  memset(buf, 0xAB, sizeof buf);
  ((nib_in_context_classification*)buf)->struct_size = old_out_size;
  CHECK_OK(nib_session_classify_in_context(session, examples, 3, "A bird sang.", &old,
                                           (nib_in_context_classification*)buf));
  const nib_in_context_classification* partial = (const nib_in_context_classification*)buf;
  CHECK(partial->struct_size == old_out_size && partial->label_count == 2);
  CHECK(buf[old_out_size] == 0xAB);
  nib_in_context_classification r = {.struct_size = sizeof r};
  CHECK_OK(nib_session_classify_in_context(session, examples, 3, "A bird sang.", NULL, &r));
  CHECK(strncmp(r.prompt, "The dog ran to the park. | animal |\n", 36) == 0);

  /* Bad arguments. */
  CHECK_STATUS(nib_session_classify_in_context(NULL, examples, 3, "x", NULL, &r), NIB_INVALID_ARGUMENT);
  CHECK_MESSAGE("nib_session_classify_in_context: session is NULL");
  CHECK_STATUS(nib_session_classify_in_context(session, NULL, 3, "x", NULL, &r), NIB_INVALID_ARGUMENT);
  CHECK_MESSAGE("examples is NULL");
  CHECK_STATUS(nib_session_classify_in_context(session, examples, 0, "x", NULL, &r), NIB_INVALID_ARGUMENT);
  CHECK_STATUS(nib_session_classify_in_context(session, examples, 3, NULL, NULL, &r), NIB_INVALID_ARGUMENT);
  CHECK_MESSAGE("text is NULL");
  const nib_labelled_example bad[] = {{"a", "x"}, {"b", NULL}};
  CHECK_STATUS(nib_session_classify_in_context(session, bad, 2, "x", NULL, &r), NIB_INVALID_ARGUMENT);
  CHECK_MESSAGE("examples[1].label");
  const nib_labelled_example empty_label[] = {{"a", ""}};
  CHECK_STATUS(nib_session_classify_in_context(session, empty_label, 1, "x", NULL, &r), NIB_INVALID_ARGUMENT);
  CHECK_OK(nib_in_context_options_init(&o));
  o.normalization = 5;
  CHECK_STATUS(nib_session_classify_in_context(session, examples, 3, "x", &o, &r), NIB_INVALID_ARGUMENT);
  CHECK_MESSAGE("normalization");
  o.normalization = NIB_NORMALIZE_SUM;
  o.struct_size = 0;
  CHECK_STATUS(nib_session_classify_in_context(session, examples, 3, "x", &o, &r), NIB_INVALID_ARGUMENT);
  CHECK_MESSAGE("struct_size");
  CHECK_STATUS(nib_session_classify_in_context(session, examples, 3, "x", NULL, NULL), NIB_INVALID_ARGUMENT);
  CHECK_STATUS(nib_in_context_options_init(NULL), NIB_INVALID_ARGUMENT);
  nib_session_free(reference);
  nib_session_free(session);
}

/* stories260K linked into a scratch folder whose tokenizer_config.json has a chat template. */
static const char* chat_folder(void) {
  static char dir[4096];
  snprintf(dir, sizeof dir, "%s", scratch_path("chat-model"));
  mkdir(dir, 0755);
  const char* const files[] = {"config.json", "generation_config.json", "model.safetensors",
                               "tokenizer.model", "special_tokens_map.json"};
  for (size_t i = 0; i < sizeof files / sizeof files[0]; ++i) {
    char src[4096], dest[4200];
    snprintf(src, sizeof src, "%s/%s", shared_path("models/stories260K"), files[i]);
    snprintf(dest, sizeof dest, "%s/%s", dir, files[i]);
    unlink(dest);
    CHECK(symlink(src, dest) == 0);
  }
  char config[4200];
  snprintf(config, sizeof config, "%s/tokenizer_config.json", dir);
  CHECK(
      write_file(config,
                 "{\"tokenizer_class\": \"LlamaTokenizer\", \"add_bos_token\": true, \"bos_token\": \"<s>\", "
                 "\"eos_token\": \"</s>\", \"unk_token\": \"<unk>\", \"legacy\": true, \"chat_template\": "
                 "\"{{ bos_token }}{% for m in messages %}<|{{ m.role }}|>\\n{{ m.content }}\\n{% endfor %}"
                 "{% if add_generation_prompt %}<|assistant|>\\n{% endif %}\"}") == 0);
  return dir;
}

static void chat(nib_model* plain) {
  nib_model* model = NULL;
  CHECK_OK(nib_model_load(chat_folder(), NULL, &model));
  nib_session* session = NULL;
  CHECK_OK(nib_session_create(model, NULL, &session));
  nib_generate_options o;
  CHECK_OK(nib_generate_options_init(&o));
  o.max_new_tokens = 8;
  o.stop_at_eos = 0;
  nib_message messages[3] = {{"user", "Tell me a story."}, {"assistant", ""}, {"user", "And then?"}};
  nib_generation g = {.struct_size = sizeof g};
  CHECK_OK(nib_session_chat(session, messages, 1, &o, NULL, &g));
  CHECK(g.count == 8);
  int bos = 0;
  for (size_t i = 0; i < g.prompt_count; ++i) bos += g.prompt_ids[i] == 1;
  CHECK(bos == 1 && g.prompt_ids[0] == 1);
  const int64_t first_prompt = g.prompt_tokens;
  char reply[1024];
  snprintf(reply, sizeof reply, "%s", g.text);
  messages[1].content = reply;
  CHECK_OK(nib_session_chat(session, messages, 3, &o, NULL, &g));
  CHECK(g.reused_tokens >= first_prompt);
  CHECK(g.reused_tokens < g.prompt_tokens);

  nib_chat_options c;
  CHECK_OK(nib_chat_options_init(&c));
  c.template_name = "tool_use";
  CHECK_STATUS(nib_session_chat(session, messages, 1, &o, &c, &g), NIB_INVALID_ARGUMENT);
  CHECK_MESSAGE("template_name");
  nib_session_free(session);
  nib_model_free(model);

  /* The shared folder has no chat template. */
  CHECK_OK(nib_session_create(plain, NULL, &session));
  CHECK_STATUS(nib_session_chat(session, messages, 1, &o, NULL, &g), NIB_UNSUPPORTED);
  CHECK_MESSAGE("chat_template");
  nib_session_free(session);
}

void test_scoring(void) {
  nib_model* model = NULL;
  CHECK_OK(nib_model_load(shared_path("models/stories260K"), NULL, &model));
  if (!model) return;
  score_equals_logits(model);
  choose(model);
  in_context(model);
  chat(model);
  nib_model_free(model);
}
