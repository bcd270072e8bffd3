/* nib — C ABI (C99).
 *
 * Compatibility promise: once released, a function's signature and meaning never change; new
 * behaviour arrives as new functions, and structs only grow at the end (they start with
 * struct_size so older callers keep working). nib_abi_version() is bumped by additions only.
 *
 * Errors: every function returns nib_status; NIB_OK is 0. nib_last_error() returns the calling
 * thread's message for its last failure (owned by the library, valid until the next failing nib
 * call on that thread). No C++ exception ever crosses this boundary.
 *
 * Structs: every options or result struct begins with `size_t struct_size`, which the caller sets
 * to sizeof(the struct) as it was compiled (the *_init functions do this for options). The library
 * reads and writes only the first struct_size bytes, so a program built against an older nib.h
 * keeps working with a newer library. struct_size 0 is an error (the struct was not initialised).
 * (Maintainers: structs end exactly at their last field — checked at compile time — so a field
 * appended later never lies in an older caller's trailing padding.)
 *
 * Ownership: next to every function, "caller frees with X" or "owned by H until ..." says who
 * releases a returned pointer. Every nib_*_free accepts NULL. Strings are UTF-8; text inputs are
 * NUL-terminated unless a length is passed.
 *
 * Threads: a nib_model and a nib_tokenizer may be used from any number of threads at once; a
 * nib_session from one thread at a time, except nib_session_cancel(), which any thread may call.
 */
#ifndef NIB_H
#define NIB_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define NIB_C_API __attribute__((visibility("default")))
#else
#define NIB_C_API
#endif

typedef enum nib_status {
  NIB_OK = 0,
  NIB_INVALID_ARGUMENT = 1, /* the caller passed something impossible (NULL handle, bad option) */
  NIB_IO = 2,               /* a file could not be opened, mapped or read */
  NIB_FORMAT = 3,           /* a file is malformed */
  NIB_UNSUPPORTED = 4,      /* well-formed but not something nib implements */
  NIB_OUT_OF_MEMORY = 5,
  NIB_CONTEXT_FULL = 6, /* the session's context has no room for the prompt */
  NIB_CANCELLED = 7,    /* a progress callback or nib_session_cancel() stopped the operation */
  NIB_INTERNAL = 8      /* a bug in nib */
} nib_status;

/* ---- version and errors ------------------------------------------------------------------ */

/* The ABI level: an integer bumped only when functions or struct fields are added (functions
 * added later say "Since ABI n"; a caller may check this before using them). */
NIB_C_API int nib_abi_version(void);
/* The library version, "MAJOR.MINOR.PATCH"; a static string, never freed. */
NIB_C_API const char* nib_version(void);
/* The calling thread's last error message ("" if none); owned by the library. */
NIB_C_API const char* nib_last_error(void);
/* A short name for a status ("ok", "format", ...); a static string, never freed. */
NIB_C_API const char* nib_status_name(nib_status status);
/* Frees a string the library returned as "caller frees with nib_string_free". */
NIB_C_API nib_status nib_string_free(char* string);

/* ---- handles ------------------------------------------------------------------------------ */

typedef struct nib_model nib_model;         /* immutable, shared by any number of threads */
typedef struct nib_tokenizer nib_tokenizer; /* immutable, shared by any number of threads */
typedef struct nib_session nib_session;     /* mutable state over a model; one thread at a time */
typedef struct nib_adapter nib_adapter;     /* a LoRA adapter of one base model; immutable */
typedef struct nib_head nib_head;           /* a trained task head of one base model; immutable */
typedef int32_t nib_token;

/* ---- models ------------------------------------------------------------------------------- */

typedef enum nib_weight_type {
  NIB_WEIGHTS_AUTO = 0,
  NIB_WEIGHTS_F32 = 1,
  NIB_WEIGHTS_BF16 = 2,
  NIB_WEIGHTS_F16 = 3,
  NIB_WEIGHTS_INT8 = 4,
  NIB_WEIGHTS_INT4 = 5 /* 4-bit codes per block of 32 inputs with a scale (as Q4_0). Since ABI 5 */
} nib_weight_type;

/* Progress in [0, 1] during a long operation (called at least with 0 first and 1 last, never going
 * back); return non-zero to cancel it (the operation then returns NIB_CANCELLED). */
typedef int (*nib_progress_fn)(float progress, void* user_data);

typedef struct nib_load_options {
  size_t struct_size;
  int32_t threads;           /* 0: all cores */
  int32_t weight_type;       /* a nib_weight_type */
  int64_t n_ctx;             /* the default context of this model's sessions; 0: the model's, capped */
  uint64_t max_memory_bytes; /* 0: no cap; else weights + every session's KV cache (NIB_OUT_OF_MEMORY,
                                before allocating; see nib::LoadOptions) */
  nib_progress_fn progress;  /* NULL: none */
  void* progress_user_data;
} nib_load_options;

NIB_C_API nib_status nib_load_options_init(nib_load_options* options);

/* Loads a Hugging Face model folder. `options` may be NULL (defaults). On success *out is a new
 * model; caller frees with nib_model_free. Sessions and tokenizers keep the model's data alive, so
 * the model handle may be freed before them. */
NIB_C_API nib_status nib_model_load(const char* path, const nib_load_options* options, nib_model** out);
NIB_C_API nib_status nib_model_free(nib_model* model);

typedef struct nib_model_info {
  size_t struct_size;
  /* Strings are owned by the model and valid until nib_model_free. */
  const char* path;
  const char* architecture;   /* e.g. "LlamaForCausalLM" */
  const char* model_type;     /* e.g. "llama" */
  const char* kind;           /* "causal-lm" or "encoder" */
  const char* head;           /* "lm", "sequence-classification", "masked-lm", ... or "none" */
  const char* problem_type;   /* "single_label_classification", ... or "" */
  const char* tokenizer_kind; /* "tokenizer.json", "sentencepiece", ..., or "none" */
  int64_t hidden_size;
  int64_t num_layers;
  int64_t num_heads;
  int64_t num_kv_heads;
  int64_t head_dim;
  int64_t intermediate_size;
  int64_t vocab_size;
  int64_t max_positions; /* context length */
  int64_t parameter_count;
  size_t num_labels; /* classification heads: nib_model_label(0 .. num_labels-1) */
} nib_model_info;

/* Fills the first info->struct_size bytes of *info. */
NIB_C_API nib_status nib_model_get_info(const nib_model* model, nib_model_info* info);
/* The name of label `index` (id2label order); owned by the model, valid until nib_model_free. */
NIB_C_API nib_status nib_model_label(const nib_model* model, size_t index, const char** out);

/* ---- tokenizers --------------------------------------------------------------------------- */

/* The model's tokenizer (NIB_INVALID_ARGUMENT when its folder has none). Caller frees with
 * nib_tokenizer_free; it stays valid after nib_model_free. */
NIB_C_API nib_status nib_model_tokenizer(const nib_model* model, nib_tokenizer** out);
/* A tokenizer from a folder holding only tokenizer files. Caller frees with nib_tokenizer_free. */
NIB_C_API nib_status nib_tokenizer_load(const char* path, nib_tokenizer** out);
NIB_C_API nib_status nib_tokenizer_free(nib_tokenizer* tokenizer);

/* An encoded text: ids, vocabulary strings, type ids. Caller frees with nib_encoding_free. */
typedef struct nib_encoding nib_encoding;

/* Encodes `text_len` bytes of `text` (text may be NULL when text_len is 0). */
NIB_C_API nib_status nib_tokenizer_encode(const nib_tokenizer* tokenizer, const char* text, size_t text_len,
                                          int add_special_tokens, nib_encoding** out);
/* Encodes a pair of texts (e.g. question and context) as the model expects them. */
NIB_C_API nib_status nib_tokenizer_encode_pair(const nib_tokenizer* tokenizer, const char* text,
                                               size_t text_len, const char* text_pair, size_t text_pair_len,
                                               int add_special_tokens, nib_encoding** out);
NIB_C_API nib_status nib_encoding_free(nib_encoding* encoding);
/* The ids; *ids (may be NULL when *count is 0) is owned by the encoding until nib_encoding_free. */
NIB_C_API nib_status nib_encoding_ids(const nib_encoding* encoding, const nib_token** ids, size_t* count);
/* The type ids (same count as the ids); owned by the encoding. */
NIB_C_API nib_status nib_encoding_type_ids(const nib_encoding* encoding, const int32_t** type_ids,
                                           size_t* count);
/* The vocabulary string of token `index` (e.g. "Ġworld"); owned by the encoding. */
NIB_C_API nib_status nib_encoding_token(const nib_encoding* encoding, size_t index, const char** out);

/* Decodes ids to text (the tokenizer's own decoder). *out is NUL-terminated, *out_len (may be
 * NULL) its length; caller frees *out with nib_string_free. */
NIB_C_API nib_status nib_tokenizer_decode(const nib_tokenizer* tokenizer, const nib_token* ids, size_t count,
                                          int skip_special_tokens, char** out, size_t* out_len);
/* One more than the largest token id. */
NIB_C_API nib_status nib_tokenizer_vocab_size(const nib_tokenizer* tokenizer, size_t* out);
/* The id of a vocabulary string; NIB_INVALID_ARGUMENT when it is not in the vocabulary. */
NIB_C_API nib_status nib_tokenizer_token_to_id(const nib_tokenizer* tokenizer, const char* token,
                                               nib_token* out);
/* The vocabulary string of an id; caller frees *out with nib_string_free. */
NIB_C_API nib_status nib_tokenizer_id_to_token(const nib_tokenizer* tokenizer, nib_token id, char** out);
/* Non-zero *out when id is a special token. */
NIB_C_API nib_status nib_tokenizer_is_special(const nib_tokenizer* tokenizer, nib_token id, int* out);

typedef enum nib_special_token {
  NIB_SPECIAL_BOS = 0,
  NIB_SPECIAL_EOS = 1,
  NIB_SPECIAL_UNK = 2,
  NIB_SPECIAL_PAD = 3,
  NIB_SPECIAL_CLS = 4,
  NIB_SPECIAL_SEP = 5,
  NIB_SPECIAL_MASK = 6
} nib_special_token;

/* The id of a special token, or -1 when the tokenizer has none of that kind. */
NIB_C_API nib_status nib_tokenizer_special_token(const nib_tokenizer* tokenizer,
                                                 int which /* a nib_special_token */, nib_token* out);

/* ---- chat templates ----------------------------------------------------------------------- */

/* One message of a conversation. This struct is fixed forever (richer messages: use JSON). */
typedef struct nib_message {
  const char* role; /* "system", "user", "assistant", ... */
  const char* content;
} nib_message;

typedef struct nib_chat_options {
  size_t struct_size;
  int32_t add_generation_prompt;
  const char* template_name;  /* NULL: "default" */
  const char* tools_json;     /* NULL: `tools` is None */
  const char* documents_json; /* NULL: `documents` is None */
  const char* variables_json; /* a JSON object of extra variables; NULL: none */
} nib_chat_options;

NIB_C_API nib_status nib_chat_options_init(nib_chat_options* options);

/* Renders messages with the chat template of the tokenizer's folder (tokenizer_config.json).
 * NIB_FORMAT when the template fails (the message is the template's error). `options` may be NULL.
 * Caller frees *out with nib_string_free. */
NIB_C_API nib_status nib_chat_render(const nib_tokenizer* tokenizer, const nib_message* messages,
                                     size_t count, const nib_chat_options* options, char** out);
/* The same from a JSON array of message objects (which may carry tool_calls and more). */
NIB_C_API nib_status nib_chat_render_json(const nib_tokenizer* tokenizer, const char* messages_json,
                                          const nib_chat_options* options, char** out);

/* ---- sessions ----------------------------------------------------------------------------- */

/* Element type of a causal session's KV cache (nib::KvCacheType). Since ABI 4. */
typedef enum nib_kv_cache_type { NIB_KV_CACHE_F32 = 0, NIB_KV_CACHE_F16 = 1 } nib_kv_cache_type;

typedef struct nib_session_options {
  size_t struct_size;
  int64_t n_ctx;   /* 0: the model's load option n_ctx, else the model's length capped at 4096 */
  int32_t threads; /* 0: all cores */
  int32_t drop_oldest_on_overflow; /* a full context drops the oldest tokens instead of failing */
  int32_t kv_cache_type;           /* a nib_kv_cache_type: F16 halves the KV cache's memory. Since ABI 4 */
  int32_t reserved;                /* 0; keeps the struct free of trailing padding */
} nib_session_options;

NIB_C_API nib_status nib_session_options_init(nib_session_options* options);

/* A new session over a model (`options` may be NULL). Caller frees with nib_session_free. */
NIB_C_API nib_status nib_session_create(const nib_model* model, const nib_session_options* options,
                                        nib_session** out);
NIB_C_API nib_status nib_session_free(nib_session* session);
/* Forgets the cached context (and a pending cancel). */
NIB_C_API nib_status nib_session_reset(nib_session* session);
/* From any thread: the session's running (or next) call stops within one token. Generation then
 * returns NIB_OK with stop_reason NIB_STOP_CANCELLED and the text so far; other calls return
 * NIB_CANCELLED. */
NIB_C_API nib_status nib_session_cancel(nib_session* session);

/* ---- generation (causal LMs) -------------------------------------------------------------- */

/* Receives each new piece of valid UTF-8 (not NUL-terminated) while generating; return non-zero
 * to stop (stop_reason NIB_STOP_CALLBACK). The piece is valid only during the call. */
typedef int (*nib_stream_fn)(const char* piece, size_t piece_len, void* user_data);

typedef struct nib_generate_options {
  size_t struct_size;
  int32_t max_new_tokens;   /* default 128 */
  float temperature;        /* 0: greedy (default) */
  int32_t top_k;            /* 0: off */
  float top_p;              /* 1: off */
  float min_p;              /* 0: off */
  float repetition_penalty; /* 1: off */
  float presence_penalty;
  float frequency_penalty;
  int32_t penalty_window; /* last N tokens the penalties look at; 0: all; default 64 */
  uint64_t seed;
  const char* const* stop; /* stop strings (not included in the text) */
  size_t stop_count;
  int32_t stop_at_eos;             /* default 1 */
  int32_t add_special_tokens;      /* e.g. BOS; default 1 */
  const nib_token* logit_bias_ids; /* logit_bias_count ids and the bias added to each */
  const float* logit_bias_values;
  size_t logit_bias_count;
  nib_stream_fn stream; /* NULL: none */
  void* stream_user_data;
} nib_generate_options;

NIB_C_API nib_status nib_generate_options_init(nib_generate_options* options);

typedef enum nib_stop_reason {
  NIB_STOP_MAX_TOKENS = 0,
  NIB_STOP_EOS = 1,
  NIB_STOP_STRING = 2,
  NIB_STOP_CALLBACK = 3,
  NIB_STOP_CANCELLED = 4,
  NIB_STOP_CONTEXT_FULL = 5
} nib_stop_reason;

typedef struct nib_generation {
  size_t struct_size;
  /* Pointers are owned by the session and valid until its next call (or nib_session_free). */
  const char* text; /* NUL-terminated */
  size_t text_len;
  const nib_token* prompt_ids;
  size_t prompt_count;
  const nib_token* ids; /* generated ids (an EOS that stopped generation included) */
  size_t count;
  int32_t stop_reason; /* a nib_stop_reason */
  int64_t prompt_tokens;
  int64_t reused_tokens; /* prompt tokens served from the cache of the previous call */
  int64_t generated_tokens;
  double prefill_ms;
  double decode_ms;
} nib_generation;

/* Continues `prompt` (encoded with the model's tokenizer). The session keeps its KV cache: a
 * prompt extending the previous prompt + output only feeds the new tokens. NIB_CONTEXT_FULL when
 * the prompt does not fit. `options` may be NULL. Fills the first out->struct_size bytes of *out. */
NIB_C_API nib_status nib_generate(nib_session* session, const char* prompt,
                                  const nib_generate_options* options, nib_generation* out);
/* The same from token ids. */
NIB_C_API nib_status nib_generate_ids(nib_session* session, const nib_token* ids, size_t count,
                                      const nib_generate_options* options, nib_generation* out);

/* Next-token logits after each of `positions` (0-based indices into ids) in a fresh context.
 * *out holds position_count rows of *vocab floats, row-major; owned by the session and valid
 * until its next call. For encoders with an MLM head, the MLM logits. */
NIB_C_API nib_status nib_logits(nib_session* session, const nib_token* ids, size_t count,
                                const int64_t* positions, size_t position_count, const float** out,
                                size_t* vocab);

/* Renders `messages` with the model folder's own chat template (NIB_UNSUPPORTED when its
 * tokenizer_config.json has none), tokenises the prompt without adding special tokens (the template
 * writes BOS, as transformers' apply_chat_template) and generates as nib_generate (its
 * add_special_tokens is not used). `chat_options` may be NULL: then the generation prompt is added;
 * a struct from nib_chat_options_init adds it only when add_generation_prompt is set; its
 * template_name must be NULL. A later call whose conversation extends this one reuses the cached
 * prefix (out->reused_tokens). Fills the first out->struct_size bytes of *out (owned by the
 * session as for nib_generate). */
NIB_C_API nib_status nib_session_chat(nib_session* session, const nib_message* messages, size_t count,
                                      const nib_generate_options* options,
                                      const nib_chat_options* chat_options, nib_generation* out);

/* ---- scoring continuations (causal LMs) --------------------------------------------------- */

typedef struct nib_continuation_score {
  size_t struct_size;
  /* `count` parallel values owned by the session and valid until its next call. */
  const nib_token* ids;        /* the continuation's tokens */
  const float* token_logprobs; /* log p(ids[i] | prompt, ids[0..i)) */
  size_t count;
  double logprob; /* their sum: log p(continuation | prompt) */
} nib_continuation_score;

/* The log-probability of each of `count` continuations given `prompt`; the prompt is fed once and
 * every continuation is evaluated from its cached prefix. Tokenisation (as lm-evaluation-harness):
 * whitespace ending the prompt moves to the front of each continuation; the prompt is encoded with
 * the model's special tokens; a continuation's ids are what encoding prompt + continuation adds
 * after the prompt's ids, or, when that encoding does not start with them, the continuation
 * encoded alone without special tokens. NIB_INVALID_ARGUMENT for no or an empty continuation;
 * NIB_CONTEXT_FULL when prompt + continuation exceed the context. `out` points to `count` structs
 * laid out at a stride of out[0].struct_size bytes (set it to sizeof(nib_continuation_score)). */
NIB_C_API nib_status nib_session_score(nib_session* session, const char* prompt,
                                       const char* const* continuations, size_t count,
                                       nib_continuation_score* out);

typedef enum nib_length_normalization {
  NIB_NORMALIZE_SUM = 0, /* the summed log-probability */
  NIB_NORMALIZE_MEAN = 1 /* the mean per-token log-probability (length normalisation) */
} nib_length_normalization;

typedef struct nib_choose_options {
  size_t struct_size;
  int32_t normalization; /* a nib_length_normalization; default NIB_NORMALIZE_SUM */
  int32_t reserved;      /* 0; keeps the struct free of trailing padding */
} nib_choose_options;

NIB_C_API nib_status nib_choose_options_init(nib_choose_options* options);

typedef struct nib_choice {
  size_t struct_size;
  int64_t tokens;      /* the choice's token count */
  double logprob;      /* summed log-probability given the prompt */
  double mean_logprob; /* logprob / tokens */
  double probability;  /* softmax over the choices of the selected score (they sum to 1) */
} nib_choice;

/* The constrained-choice classifier: nib_session_score of each choice, normalised over the
 * choices. `options` may be NULL. `out` points to `count` structs at a stride of
 * out[0].struct_size bytes (set it to sizeof(nib_choice)); they hold values only. */
NIB_C_API nib_status nib_session_choose(nib_session* session, const char* prompt, const char* const* choices,
                                        size_t count, const nib_choose_options* options, nib_choice* out);

/* One labelled example of a few-shot prompt. This struct is fixed forever. */
typedef struct nib_labelled_example {
  const char* text;
  const char* label;
} nib_labelled_example;

typedef struct nib_in_context_options {
  size_t struct_size;
  const char* instruction; /* text before the examples; NULL: none */
  const char* separator;   /* replaces {sep}; NULL: "|" */
  /* One line per example: {text} once, then {label} once, any number of {sep}; other text is
   * copied. NULL: "{text} {sep} {label} {sep}\n". */
  const char* line_format;
  int32_t normalization; /* a nib_length_normalization; default NIB_NORMALIZE_SUM */
  int32_t reserved;      /* 0; keeps the struct free of trailing padding */
} nib_in_context_options;

NIB_C_API nib_status nib_in_context_options_init(nib_in_context_options* options);

typedef struct nib_in_context_classification {
  size_t struct_size;
  /* Pointers are owned by the session and valid until its next call (or nib_session_free). */
  const char* label; /* the most probable label */
  size_t label_index;
  size_t label_count;        /* the examples' distinct labels, in order of appearance: */
  const char* const* labels; /* label_count names */
  /* Per label, the continuation scored after the prompt: the label and the rest of its line
   * without trailing whitespace (" |" by default), so a label that is a prefix of another is not
   * favoured; and its values as nib_session_choose gives them (parallel arrays). */
  const char* const* continuations;
  const int64_t* tokens;
  const double* logprobs;
  const double* mean_logprobs;
  const double* probabilities; /* they sum to 1 */
  const char* prompt;          /* the few-shot prompt the continuations were scored after */
} nib_in_context_classification;

/* Few-shot classification with a causal LM: builds the prompt from `count` (at least one) examples
 * and `text` (see nib_in_context_options), then chooses among the examples' distinct labels as
 * nib_session_choose does. Labels must be non-empty. `options` may be NULL. Fills the first
 * out->struct_size bytes of *out. Since ABI 2. */
NIB_C_API nib_status nib_session_classify_in_context(nib_session* session,
                                                     const nib_labelled_example* examples, size_t count,
                                                     const char* text, const nib_in_context_options* options,
                                                     nib_in_context_classification* out);

/* ---- encoder tasks ------------------------------------------------------------------------ */

/* LAST_TOKEN (since ABI 3): the last real token's hidden state; causal LMs pool by MEAN or
 * LAST_TOKEN. */
typedef enum nib_pooling {
  NIB_POOLING_AUTO = 0,
  NIB_POOLING_MEAN = 1,
  NIB_POOLING_CLS = 2,
  NIB_POOLING_LAST_TOKEN = 3
} nib_pooling;
typedef enum nib_aggregation {
  NIB_AGGREGATION_NONE = 0,
  NIB_AGGREGATION_FIRST = 1,
  NIB_AGGREGATION_AVERAGE = 2,
  NIB_AGGREGATION_MAX = 3
} nib_aggregation;

typedef struct nib_task_options {
  size_t struct_size;
  int32_t truncate;    /* non-zero (default): cut inputs longer than the model; 0: NIB_INVALID_ARGUMENT */
  int32_t pooling;     /* embed: a nib_pooling */
  int32_t normalize;   /* embed: L2-normalise */
  int32_t aggregation; /* tag: a nib_aggregation */
  int32_t top_k;       /* fill-mask: candidates per mask; default 5 */
  int32_t reserved;    /* 0; keeps the struct free of trailing padding */
} nib_task_options;

NIB_C_API nib_status nib_task_options_init(nib_task_options* options);

typedef struct nib_classification {
  size_t struct_size;
  /* Pointers are owned by the session and valid until its next call (or nib_session_free). */
  const char* label; /* the best label */
  size_t label_index;
  size_t label_count;
  const char* const* labels; /* label_count names, id order */
  const float* scores;       /* label_count probabilities (softmax, sigmoid or raw for regression) */
  const float* logits;       /* label_count logits */
} nib_classification;

/* Classifies one text (sequence-classification heads). `options` may be NULL. */
NIB_C_API nib_status nib_classify(nib_session* session, const char* text, const nib_task_options* options,
                                  nib_classification* out);
/* Classifies `count` texts in padded batches. `out` points to `count` structs laid out at a stride
 * of out[0].struct_size bytes (set it to sizeof(nib_classification)); each is filled as above. */
NIB_C_API nib_status nib_classify_batch(nib_session* session, const char* const* texts, size_t count,
                                        const nib_task_options* options, nib_classification* out);

typedef struct nib_fill_mask_result {
  size_t struct_size;
  /* `count` candidates, best first, as parallel arrays owned by the session until its next call. */
  size_t count;
  const nib_token* ids;
  const char* const* tokens;
  const char* const* sequences; /* the text with the mask filled in */
  const float* scores;
  const float* logits;
} nib_fill_mask_result;

/* The top options->top_k fillers of the text's mask token (masked-LM heads). */
NIB_C_API nib_status nib_fill_mask(nib_session* session, const char* text, const nib_task_options* options,
                                   nib_fill_mask_result* out);

/* Fill-mask for `count` texts (each must hold the mask token), as one nib_fill_mask per text.
 * `out` points to `count` structs laid out at a stride of out[0].struct_size bytes (set it to
 * sizeof(nib_fill_mask_result)); each is filled as above, its arrays owned by the session until its
 * next call. count 0 does nothing (texts and out may then be NULL). Since ABI 2. */
NIB_C_API nib_status nib_fill_mask_batch(nib_session* session, const char* const* texts, size_t count,
                                         const nib_task_options* options, nib_fill_mask_result* out);

/* The pooled embedding of a text: *dim floats owned by the session until its next call. */
NIB_C_API nib_status nib_embed(nib_session* session, const char* text, const nib_task_options* options,
                               const float** out, size_t* dim);
/* Embeddings of `count` texts: count rows of *dim floats, row-major, owned by the session. */
NIB_C_API nib_status nib_embed_batch(nib_session* session, const char* const* texts, size_t count,
                                     const nib_task_options* options, const float** out, size_t* dim);

typedef struct nib_tags {
  size_t struct_size;
  /* `count` tags as parallel arrays owned by the session until its next call. Tokens or groups
   * labelled "O" are left out. */
  size_t count;
  const char* const* labels;
  const float* scores;
  const char* const* texts; /* token or word */
  const int64_t* starts;    /* token indices [start, end) in the encoding */
  const int64_t* ends;
} nib_tags;

/* Tags the tokens (or, with aggregation, words) of a text (token-classification heads). */
NIB_C_API nib_status nib_tag_tokens(nib_session* session, const char* text, const nib_task_options* options,
                                    nib_tags* out);

/* Tags `count` texts, as one nib_tag_tokens per text. `out` points to `count` structs laid out at
 * a stride of out[0].struct_size bytes (set it to sizeof(nib_tags)); each is filled as above, its
 * arrays owned by the session until its next call. count 0 does nothing (texts and out may then be
 * NULL). Since ABI 2. */
NIB_C_API nib_status nib_tag_tokens_batch(nib_session* session, const char* const* texts, size_t count,
                                          const nib_task_options* options, nib_tags* out);

/* ---- LoRA adapters ------------------------------------------------------------------------ */

/* Loads a PEFT LoRA adapter folder (adapter_config.json + adapter_model.safetensors) against its
 * base model; every tensor is checked against the base. Caller frees with nib_adapter_free; it
 * keeps what it needs of the base alive. */
NIB_C_API nib_status nib_adapter_load(const nib_model* base, const char* path, nib_adapter** out);
NIB_C_API nib_status nib_adapter_free(nib_adapter* adapter);

typedef struct nib_adapter_info {
  size_t struct_size;
  const char* path;      /* owned by the adapter, valid until nib_adapter_free */
  const char* task_type; /* adapter_config.json "task_type", may be "" */
  int64_t rank;
  double alpha;
  int64_t parameter_count;
  size_t label_count; /* labels of its own classifier head: nib_adapter_label(0 .. label_count-1) */
  int32_t rslora;     /* scale alpha/sqrt(r) instead of alpha/r */
  int32_t reserved;
} nib_adapter_info;

/* Fills the first info->struct_size bytes of *info. */
NIB_C_API nib_status nib_adapter_get_info(const nib_adapter* adapter, nib_adapter_info* info);
/* Label `index` of the adapter's classifier head; owned by the adapter until nib_adapter_free. */
NIB_C_API nib_status nib_adapter_label(const nib_adapter* adapter, size_t index, const char** out);

/* Makes `count` adapters the session's active set (replacing the previous one) for the following
 * calls; weights[i] multiplies adapter i's delta (weights may be NULL: 1 each). The base model is
 * never modified; the session's cached context is dropped. The session keeps the adapters alive,
 * so their handles may be freed afterwards. */
NIB_C_API nib_status nib_session_use_adapters(nib_session* session, const nib_adapter* const* adapters,
                                              const float* weights, size_t count);
/* Back to the base model. */
NIB_C_API nib_status nib_session_clear_adapters(nib_session* session);

/* ---- task heads (since ABI 3) --------------------------------------------------------------- */
/* A small classifier trained in-process on a base model's pooled embeddings (see nib/head.hpp):
 * linear (L-BFGS) or one hidden ReLU layer (Adam), softmax or per-label sigmoid, L2-regularised,
 * with k-fold cross-validation. Saved as a folder (head_config.json + head.safetensors) that loads
 * only against the same base model. */

typedef struct nib_train_head_options {
  size_t struct_size;
  int32_t pooling;      /* a nib_pooling; AUTO: the folder's sentence-transformers pooling, else MEAN */
  int32_t normalize;    /* L2-normalise the embeddings */
  int32_t multi_label;  /* sigmoid per label; labels[i] then lists the example's labels separated by '\n' */
  int32_t hidden_units; /* 0 (default): linear head */
  double l2;            /* default 1e-2 */
  double tolerance;     /* default 1e-6 (L-BFGS gradient max-norm) */
  double learning_rate; /* default 1e-2 (Adam) */
  double validation_fraction; /* > 0: early stopping on this held-out fraction; default 0 */
  uint64_t seed;
  int32_t max_iterations; /* default 1000 */
  int32_t folds;          /* cross-validation folds; default 5; 0: none */
  int32_t patience;       /* early stopping; default 20 */
  int32_t balanced;       /* weigh classes inversely to their frequency */
  int32_t threads;        /* 0: all cores */
  int32_t reserved;
  /* Features are computed with these adapters active (NULL/0: none); weights may be NULL (1 each). */
  const nib_adapter* const* adapters;
  const float* adapter_weights;
  size_t adapter_count;
  nib_progress_fn progress; /* [0, 1]; non-zero return cancels with NIB_CANCELLED */
  void* progress_user_data;
} nib_train_head_options;

NIB_C_API nib_status nib_train_head_options_init(nib_train_head_options* options);

/* Trains a head on `count` examples: texts[i] with label labels[i] (multi-label: labels separated by
 * '\n'). `options` may be NULL. Caller frees *out with nib_head_free; the head holds its report. */
NIB_C_API nib_status nib_train_head(const nib_model* model, const char* const* texts,
                                    const char* const* labels, size_t count,
                                    const nib_train_head_options* options, nib_head** out);
/* Loads a head folder against `base`; NIB_INVALID_ARGUMENT when it was trained on another model,
 * NIB_FORMAT / NIB_IO naming the file and key or tensor when malformed. Caller frees with
 * nib_head_free. */
NIB_C_API nib_status nib_head_load(const nib_model* base, const char* path, nib_head** out);
/* Writes the head's folder (created if needed). */
NIB_C_API nib_status nib_head_save(const nib_head* head, const char* path);
NIB_C_API nib_status nib_head_free(nib_head* head);

typedef struct nib_head_info {
  size_t struct_size;
  size_t label_count; /* nib_head_label(0 .. label_count-1) */
  int64_t feature_dim;
  int64_t hidden_units;
  int32_t multi_label;
  int32_t pooling; /* a nib_pooling (never AUTO) */
  int32_t normalize;
  int32_t reserved;
  const char* base_architecture; /* owned by the head, valid until nib_head_free */
  const char* base_checksum;
} nib_head_info;

NIB_C_API nib_status nib_head_get_info(const nib_head* head, nib_head_info* info);
/* Label `index`, owned by the head until nib_head_free. */
NIB_C_API nib_status nib_head_label(const nib_head* head, size_t index, const char** out);

typedef struct nib_head_report {
  size_t struct_size;
  int64_t examples;
  int64_t features_computed; /* texts that needed a forward pass (the rest came from the model's cache) */
  double cv_accuracy;
  double cv_macro_f1;
  double train_loss;
  double feature_ms;
  double fit_ms;
  int32_t folds; /* 0: no cross-validation (a loaded head has an all-zero report) */
  int32_t iterations;
  int32_t converged;
  int32_t reserved;
  /* Owned by the head until nib_head_free. confusion: label_count x label_count counts, row-major
   * [true][predicted] (NULL for multi-label or without folds); fold_*: `folds` entries. */
  size_t label_count;
  const int64_t* confusion;
  const double* fold_accuracy;
  const double* fold_macro_f1;
  const int32_t* fold_iterations;
} nib_head_report;

NIB_C_API nib_status nib_head_get_report(const nib_head* head, nib_head_report* report);

/* Attaches the head to the session: nib_classify / nib_classify_batch then return its labels
 * (composing with the active adapters). NIB_INVALID_ARGUMENT when it belongs to another model.
 * The session keeps the head alive, so its handle may be freed afterwards. */
NIB_C_API nib_status nib_session_set_head(nib_session* session, const nib_head* head);
NIB_C_API nib_status nib_session_clear_head(nib_session* session);

#ifdef __cplusplus
}
#endif

#endif /* NIB_H */
