#pragma once
// The causal-LM half of a Session: the KV cache state, the ids it holds, and the logits of the last
// fed token. Knows how to bring the cache to a given id sequence reusing the longest cached prefix.
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include <nib/session.hpp>

#include "models/causal_lm.hpp"
#include "runtime/memory_budget.hpp"
#include "runtime/model_impl.hpp"

namespace nib::detail {

class CausalRuntime {
 public:
  // The state of `model`'s causal LM; its KV cache and buffers are reserved in the model's memory
  // budget (LoadOptions::max_memory_bytes) before they are allocated.
  CausalRuntime(const ModelImpl& model, const SessionOptions& options);

  std::int64_t n_ctx() const { return state->capacity(); }
  std::int64_t vocab() const { return lm->config().vocab_size; }

  // Makes the cache hold exactly `ids` (non-empty), feeding only what follows the longest cached
  // prefix but at least the last id, whose next-token logits end up in `logits`. Polls `cancelled`
  // between prefill chunks; returns the number of reused tokens, or -1 when cancelled (the cache
  // then holds a prefix of ids). ContextFull when ids do not fit.
  std::int64_t feed(std::span<const TokenId> ids, const models::AdapterView* adapters,
                    const std::function<bool()>& cancelled);
  // A fresh context over ids (non-empty): writes the next-token logits after each of `rows`
  // (ascending indices into ids) to out[rows.size(), vocab]. Throws Cancelled when `cancelled`
  // says so between chunks.
  void score(std::span<const TokenId> ids, std::span<const std::int64_t> rows, float* out,
             const models::AdapterView* adapters, const std::function<bool()>& cancelled);
  // Appends ids (in prefill chunks) to what the cache holds and writes the next-token logits after
  // each of `rows` (ascending indices into ids) to out[rows.size(), vocab]. Throws Cancelled when
  // `cancelled` says so between chunks; ContextFull when they do not fit.
  void append(std::span<const TokenId> ids, std::span<const std::int64_t> rows, float* out,
              const models::AdapterView* adapters, const std::function<bool()>& cancelled);
  // Keeps the first n cached tokens (n <= what the cache holds).
  void truncate(std::int64_t n);
  // Appends one token and computes its logits (one decode step).
  void step(TokenId id, const models::AdapterView* adapters);
  void clear();

  MemoryBudget::Reservation memory_;  // released after the buffers below (declared first)
  const models::CausalLM* lm;
  std::unique_ptr<models::CausalState> state;
  std::vector<TokenId> cached_ids;  // the ids whose keys/values the cache holds
  std::vector<float> logits;        // [vocab] after the last fed token
};

}  // namespace nib::detail
