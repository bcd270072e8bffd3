#pragma once
// A decoder-only language model (Llama family, GPT-2): token ids in, next-token logits out, with a
// per-sequence KV cache so a prompt is prefilled once and generation runs one token per step.
#include <cstdint>
#include <memory>
#include <span>

#include <nib/options.hpp>

#include "io/model_config.hpp"
#include "models/blocks.hpp"
#include "models/weight_binder.hpp"

namespace nib::models {

// Per-sequence mutable state: the KV cache and every scratch buffer a forward pass needs, sized
// once so the decode path never allocates. Owned by a Session.
class CausalState {
 public:
  virtual ~CausalState() = default;
  virtual std::int64_t capacity() const = 0;  // n_ctx
  virtual std::int64_t length() const = 0;    // tokens held in the cache
  virtual void truncate(std::int64_t n) = 0;  // keep the first n cached tokens (prefix reuse)
};

class CausalLM {
 public:
  virtual ~CausalLM() = default;
  virtual const io::ModelConfig& config() const = 0;
  virtual const ModuleRegistry& modules() const = 0;

  // A fresh state with room for n_ctx tokens of keys and values of type `kv`, and prefill chunks
  // of up to max_batch tokens.
  virtual std::unique_ptr<CausalState> new_state(std::int64_t n_ctx, std::int64_t max_batch,
                                                 KvCacheType kv) const = 0;
  // The bytes new_state(n_ctx, max_batch, kv) allocates, known before allocating (memory caps).
  virtual std::uint64_t state_bytes(std::int64_t n_ctx, std::int64_t max_batch, KvCacheType kv) const = 0;

  // Appends ids at positions state.length() ... and writes the logits of the requested rows
  // (indices into ids, ascending) to logits[rows.size(), vocab]. Throws ContextFull when the
  // cache has no room; the state is unchanged then.
  virtual void forward(std::span<const std::int32_t> ids, CausalState& state,
                       std::span<const std::int64_t> rows, float* logits,
                       const AdapterView* adapters) const = 0;
  // Appends ids as forward() does and writes the final hidden state (after the final norm, before
  // the LM head) of every new token to hidden[ids.size(), hidden_size]: what embeddings pool.
  virtual void forward_hidden(std::span<const std::int32_t> ids, CausalState& state, float* hidden,
                              const AdapterView* adapters) const = 0;
};

// Builds the architecture named by config (Llama, Mistral, Qwen2, GPT-2) on bound weights.
std::unique_ptr<CausalLM> make_causal_lm(const io::ModelConfig& config, WeightBinder& weights);

}  // namespace nib::models
