#pragma once
// nib::Session — per-thread state over a shared Model: KV cache, sampler, scratch, adapters.
// One thread at a time may use a Session; cancel() may be called from any thread.
#include <nib/adapter.hpp>
#include <nib/chat.hpp>
#include <nib/export.hpp>
#include <nib/model.hpp>
#include <nib/options.hpp>
#include <nib/scoring.hpp>
#include <nib/tokenizer.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace nib {

namespace detail {
class SessionImpl;
}

struct SessionOptions {
  std::int64_t n_ctx = 0;  // 0: the model's context length, capped at max_default_ctx
  std::int64_t max_default_ctx = 4096;
  int threads = 0;                          // 0: all cores
  bool drop_oldest_on_overflow = false;     // a full context drops the oldest tokens instead of failing
  KvCacheType kv_cache = KvCacheType::F32;  // causal LMs: the cache's element type (nib/options.hpp)
};

struct SamplingOptions {
  float temperature = 0.f;         // 0: greedy
  int top_k = 0;                   // 0: off
  float top_p = 1.f;               // 1: off
  float min_p = 0.f;               // 0: off
  float repetition_penalty = 1.f;  // HF/CTRL style: divides positive logits, multiplies negative ones
  float presence_penalty = 0.f;
  float frequency_penalty = 0.f;
  int penalty_window = 64;  // last N tokens (prompt included) the penalties look at; 0: all
  std::map<TokenId, float> logit_bias;
  std::uint64_t seed = 0;  // same seed, same options, same prompt: same output
};

struct GenerateOptions {
  int max_new_tokens = 128;
  SamplingOptions sampling;
  std::vector<std::string> stop;  // stop strings (not included in the returned text)
  bool stop_at_eos = true;
  bool add_special_tokens = true;  // e.g. BOS for Llama tokenizers
};

enum class StopReason { MaxTokens, Eos, StopString, Callback, Cancelled, ContextFull };
NIB_API const char* stop_reason_name(StopReason r) noexcept;

struct GenerationStats {
  std::int64_t prompt_tokens = 0, reused_tokens = 0, generated_tokens = 0;
  double prefill_ms = 0, decode_ms = 0;
};

struct Generation {
  std::string text;
  std::vector<TokenId> prompt_ids;
  std::vector<TokenId> ids;  // generated ids (an EOS that stopped generation included)
  StopReason stop_reason = StopReason::MaxTokens;
  GenerationStats stats;
};

// Receives complete UTF-8 pieces as they are produced; return false to stop.
using StreamFn = std::function<bool(std::string_view piece)>;

struct Classification {
  std::string label;
  std::vector<float> scores;  // probabilities per label (softmax, sigmoid, or raw for regression)
  std::vector<float> logits;
  std::vector<std::string> labels;
};

struct MaskFill {
  TokenId id = 0;
  std::string token;
  std::string sequence;  // the text with the mask filled in
  float score = 0.f;
  float logit = 0.f;
};

// Auto: a sentence-transformers folder's own pooling (1_Pooling, plus its Normalize module), else Mean.
// Causal LMs pool their final hidden states (after the final norm) with Mean or LastToken.
enum class Pooling { Mean, Cls, Auto, LastToken };
struct EmbedOptions {
  Pooling pooling = Pooling::Auto;
  bool normalize = false;  // L2-normalise (on top of whatever Auto's folder asks for)
};

// As transformers' token-classification pipeline: None tags every token; First / Average / Max
// label whole words (from the first token, the mean probabilities, the most confident token) and
// group adjacent words of one entity (B-X / I-X). Tokens or groups labelled "O" are left out.
enum class Aggregation { None, First, Average, Max };
struct TokenTag {
  std::string label;
  float score = 0.f;
  std::string text;                 // token or word
  std::int64_t start = 0, end = 0;  // token indices [start, end) in the encoding
};

// Inputs longer than the model's positions: cut (keeping the closing special token) or fail.
enum class Truncation { Error, Truncate };
struct EncodeOptions {
  Truncation truncation = Truncation::Truncate;
};

class Head;  // nib/head.hpp

class NIB_API Session {
 public:
  Session(const Model& model, const SessionOptions& options = {});
  ~Session();
  Session(Session&&) noexcept;
  Session& operator=(Session&&) noexcept;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  const Model& model() const;

  // --- causal LMs -------------------------------------------------------------------------
  // Continues the prompt (encoded with the model's tokenizer). The KV cache is kept between calls:
  // a prompt that extends the previous prompt + generated ids only feeds the new tokens.
  // A prompt longer than n_ctx throws ContextFull unless SessionOptions.drop_oldest_on_overflow
  // (then its newest tokens are kept); a context that fills up while generating stops with
  // StopReason::ContextFull, or, with drop_oldest_on_overflow, keeps its newest half and goes on.
  // cancel() ends the call within one token with StopReason::Cancelled and the text so far.
  // Impossible options (negative max_new_tokens, top_p outside (0, 1], ...) throw InvalidArgument.
  Generation generate(std::string_view prompt, const GenerateOptions& options = {},
                      const StreamFn& stream = {});
  // Same from ids. Text, streaming and stop strings need the model's tokenizer.
  Generation generate_ids(std::span<const TokenId> prompt_ids, const GenerateOptions& options = {},
                          const StreamFn& stream = {});
  // Next-token logits (vocab floats per row) after each requested position of ids (fresh context;
  // cancel() makes it throw Cancelled).
  std::vector<std::vector<float>> logits(std::span<const TokenId> ids,
                                         std::span<const std::int64_t> positions);

  // Log-probability of each continuation given the prompt. The prompt is fed once (reusing the
  // cached context where it matches) and every continuation is evaluated from that cached prefix.
  // Tokenisation (as lm-evaluation-harness): whitespace ending the prompt moves to the front of
  // each continuation; the prompt is encoded with the model's special tokens (BOS); the
  // continuation's ids are what encoding prompt + continuation adds after the prompt's ids, or,
  // when that encoding does not start with the prompt's ids, the continuation encoded alone
  // without special tokens. So the numbers are the log-softmax values logits() gives at the same
  // positions of prompt ids + continuation ids. An empty list or continuation, a prompt without
  // tokens, and a prompt + continuation longer than n_ctx throw nib::Error.
  std::vector<ContinuationScore> score(std::string_view prompt, std::span<const std::string> continuations);
  // The constrained-choice classifier: score() of each choice, normalised over the choices.
  std::vector<Choice> choose(std::string_view prompt, std::span<const std::string> choices,
                             const ChooseOptions& options = {});
  // Few-shot classification: builds the prompt from `examples` (see InContextOptions) and
  // chooses among their distinct labels (at least one example; labels non-empty).
  InContextClassification classify_in_context(std::span<const LabelledExample> examples,
                                              std::string_view text, const InContextOptions& options = {});

  // Renders `messages` with the model's own chat template (tokenizer_config.json's chat_template;
  // Unsupported when it has none), tokenises the result WITHOUT adding special tokens (the
  // template writes BOS itself, as transformers' apply_chat_template) and generates
  // (options.add_special_tokens is not used). By default the template adds the generation
  // prompt. A later call whose conversation extends this one reuses the cached prefix
  // (Generation.stats.reused_tokens).
  Generation chat(std::span<const Message> messages, const GenerateOptions& options = {},
                  const StreamFn& stream = {},
                  const ChatOptions& chat_options = ChatOptions{.add_generation_prompt = true});

  // --- encoders (embed and classify with a head: causal LMs too) ---------------------------
  // Texts are tokenised with the model's special tokens. Batch calls run padded batches in one
  // forward pass each and give the same results as one call per text. Calls needing a head the
  // model lacks (fill_mask on a classifier, ...) throw InvalidArgument.
  Classification classify(std::string_view text, const EncodeOptions& options = {});
  std::vector<Classification> classify(std::span<const std::string> texts, const EncodeOptions& options = {});
  std::vector<MaskFill> fill_mask(std::string_view text, int k = 5, const EncodeOptions& options = {});
  std::vector<float> embed(std::string_view text, const EmbedOptions& embed = {},
                           const EncodeOptions& options = {});
  std::vector<std::vector<float>> embed(std::span<const std::string> texts, const EmbedOptions& embed = {},
                                        const EncodeOptions& options = {});
  std::vector<TokenTag> tag_tokens(std::string_view text, Aggregation aggregation = Aggregation::None,
                                   const EncodeOptions& options = {});

  // --- state ------------------------------------------------------------------------------
  // Makes `adapters` (each with its weight) the active set for the following calls, replacing the
  // previous set; the cached context is dropped. The base model is never modified.
  void use_adapters(std::span<const AdapterRef> adapters);
  void clear_adapters();
  // Attaches a trained task head (nib/head.hpp): classify() then pools the text's embedding as the
  // head was trained (through the active adapters, which the head composes with) and returns the
  // head's labels, for encoders and causal LMs alike. InvalidArgument when the head was trained on
  // another base model. Replaces a previously attached head.
  void set_head(const Head& head);
  void clear_head();

  // Any thread: the running call stops within one token with Status::Cancelled. With no call
  // running, the next call stops instead (as nib_session_cancel: a cancel sent just before a call
  // starts is not lost); reset() forgets a pending cancel.
  void cancel();
  void reset();  // forget the cached context (and a pending cancel)

  detail::SessionImpl& impl() { return *impl_; }

 private:
  std::unique_ptr<detail::SessionImpl> impl_;
};

}  // namespace nib
