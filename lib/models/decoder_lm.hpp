#pragma once
// What the decoder-only architectures share: the per-sequence state (KV cache + scratch sized
// once) and the forward driver (chunked prefill, context checks, the final norm and LM head on the
// requested rows only). llama.cpp and gpt2.cpp supply the embedding and the transformer layers.
#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "kernels/huge_pages.hpp"
#include "kernels/row_queue.hpp"
#include "kernels/team_barrier.hpp"
#include "models/causal_lm.hpp"

namespace nib::models {

// Per-token widths of the buffers a layer needs; every buffer is allocated for max_batch tokens.
struct DecoderShape {
  std::int64_t layers = 0;
  std::int64_t hidden = 0;
  std::int64_t kv_dim = 0;      // key (= value) floats per token per layer
  std::int64_t proj_width = 0;  // q (Llama) or fused q|k|v (GPT-2) floats per token
  std::int64_t attn_width = 0;  // attention output floats per token (heads × head_dim)
  std::int64_t ffn_width = 0;   // MLP hidden floats per token (per buffer; two buffers)
  std::int64_t heads = 0, kv_heads = 0, head_dim = 0;
  std::int64_t rope_half = 0;  // head_dim / 2 for RoPE models, 0 otherwise
};

class DecoderState final : public CausalState {
 public:
  DecoderState(const DecoderShape& shape, std::int64_t n_ctx, std::int64_t max_batch, KvCacheType kv);
  // The bytes such a state allocates (checked arithmetic: InvalidArgument on overflow).
  static std::uint64_t bytes(const DecoderShape& shape, std::int64_t n_ctx, std::int64_t max_batch,
                             KvCacheType kv);

  std::int64_t capacity() const override { return n_ctx_; }
  std::int64_t length() const override { return length_; }
  void truncate(std::int64_t n) override;
  std::int64_t max_batch() const { return max_batch_; }
  void set_length(std::int64_t n) { length_ = n; }

  // Where a layer writes the keys / values (kv_dim floats per token, f32, token-major) of the n tokens
  // it adds at length(): staging rows that store_kv() moves into the cache's per-head rows (rounding
  // them for an f16 cache).
  float* new_keys();
  float* new_values();
  // Makes the n new keys/values of `layer` part of its cache.
  void store_kv(std::int64_t layer, std::int64_t n);
  // The same for elements [c0, c1) of one new token's keys (values): a decode step thread's share.
  void store_keys(std::int64_t layer, std::int64_t c0, std::int64_t c1);
  void store_values(std::int64_t layer, std::int64_t c0, std::int64_t c1);
  // kernels::attention of q over `layer`'s cached keys/values (as.n_kv of them), in either type; the
  // state sets the K/V strides of `as` (its cache layout is its own).
  void attend(std::int64_t layer, const float* q, const kernels::AttentionShape& as, float* out);
  // kernels::attention_rows [r0, r1) of the same, in the calling thread's scratch slot.
  void attend_rows(std::int64_t layer, const float* q, const kernels::AttentionShape& as, float* out,
                   int slot, std::int64_t r0, std::int64_t r1);
  // The LoRA scratch for this adapter set (grows only when a larger adapter set is first used).
  float* lora(const AdapterView* adapters);

  // Scratch, each sized for max_batch tokens.
  std::vector<float> x, xn, proj, attn, ffn_a, ffn_b, tmp, attn_scratch, inv_freq;
  std::vector<float> rope;  // RoPE cos | sin per token of the chunk (kernels::rope_table)
  std::vector<std::int64_t> positions;
  // The fused decode step's work queues, one per projection step of a layer (reused by every layer),
  // and the barrier between its steps.
  std::array<kernels::RowQueue, 5> row_queues;
  kernels::TeamBarrier barrier;
  // GPT-2's fused decode step: two sets of per-block partial sums (grows on the first step).
  std::vector<float> partials;

 private:
  // Calls visit(&DecoderState::buffer, element count) for every buffer: the one table that both
  // the constructor (allocating) and bytes() (the memory budget's estimate) read.
  template <class Visit>
  static void buffers(const DecoderShape& shape, std::int64_t n_ctx, std::int64_t max_batch, KvCacheType kv,
                      Visit&& visit);
  std::size_t cache_offset(std::int64_t layer) const;
  // Elements [c0, c1) of n new tokens' staged rows into their heads' rows of `layer` in `cache`.
  template <class T>
  void store_rows(std::int64_t layer, const float* staged, T* cache, std::int64_t n, std::int64_t c0,
                  std::int64_t c1) const;
  // The same from new_keys (values: new_values) into the cache of this state's type.
  void store(std::int64_t layer, bool values, std::int64_t n, std::int64_t c0, std::int64_t c1);
  // `as` with the K/V strides of this state's cache.
  kernels::AttentionShape cache_shape(const kernels::AttentionShape& as) const;

  DecoderShape shape_;
  std::int64_t n_ctx_, max_batch_, length_ = 0;
  KvCacheType kv_;
  // f32 or f16 cache: [layers, kv_heads, n_ctx, head_dim] each, in huge pages. Head-major: a decode
  // step reads each KV head's keys (values) as one sequential run, ~15% faster from memory than
  // rows scattered kv_dim apart.
  std::vector<float, kernels::HugePageAllocator<float>> k_, v_;
  std::vector<std::uint16_t, kernels::HugePageAllocator<std::uint16_t>> k16_, v16_;
  std::vector<float> staging_;  // new keys | new values, max_batch token-major rows each
  std::vector<float> lora_;
};

// How a one-token forward pass (decode) runs, process-wide. Fused (the default): the whole token in
// one OpenMP parallel region, each thread computing its share of every projection and attention
// between barriers, with the norms, RoPE, activations and residual adds done inside it (one fork
// and join per token instead of ~5 per layer with serial steps between). Reference: the general
// multi-token path, one kernel call per step. FusedAlways: Fused with the whole team even on models
// too small to gain from it (tests run the threaded step on the small shared models). Passes with
// LoRA adapters, and GPT-2 with int8 or int4 weights, take the reference path. Returns the previous mode.
enum class DecodeStep { Fused, Reference, FusedAlways };
DecodeStep set_decode_step(DecodeStep mode);

class DecoderLM : public CausalLM {
 public:
  const io::ModelConfig& config() const override { return config_; }
  const ModuleRegistry& modules() const override { return modules_; }
  std::unique_ptr<CausalState> new_state(std::int64_t n_ctx, std::int64_t max_batch,
                                         KvCacheType kv) const override;
  std::uint64_t state_bytes(std::int64_t n_ctx, std::int64_t max_batch, KvCacheType kv) const override;
  void forward(std::span<const std::int32_t> ids, CausalState& state, std::span<const std::int64_t> rows,
               float* logits, const AdapterView* adapters) const final;
  void forward_hidden(std::span<const std::int32_t> ids, CausalState& state, float* hidden,
                      const AdapterView* adapters) const final;

 protected:
  DecoderLM(const io::ModelConfig& config, DecoderShape shape) : config_(config), shape_(shape) {}

  // Runs the embedding and every layer for n = ids.size() tokens at positions
  // state.positions[0..n), appending their keys/values at state.length(); leaves the last
  // layer's output (before the final norm) in state.x.
  virtual void layers(std::span<const std::int32_t> ids, DecoderState& state,
                      const AdapterView* adapters) const = 0;
  // Largest n_ctx the architecture can address (learned positions); 0: unlimited.
  virtual std::int64_t max_context() const { return 0; }
  // InvalidArgument unless n_ctx and max_batch are positive and n_ctx within max_context().
  void check_context(std::int64_t n_ctx, std::int64_t max_batch) const;

  // Binds a linear module and registers it under its Hugging Face module path `module`;
  // the tensors are `tensor_prefix`.weight / .bias. Layer −1 is the LM head, bound as a vocabulary
  // matrix (WeightBinder::vocab_matrix).
  Linear bind_linear(WeightBinder& w, const std::string& module, const std::string& tensor_prefix,
                     std::int64_t in, std::int64_t out, kernels::Layout layout, int layer, bool bias);
  // x += y over n tokens of the hidden width.
  void residual_add(float* x, const float* y, std::int64_t n) const;
  // Threads of the fused decode step for a pass of n tokens (0: take the reference path): the
  // session's thread count, or 1 when a layer's weights are too few to repay the barriers.
  int decode_team(std::int64_t n, const AdapterView* adapters) const;
  // A row of `floats` owned by the calling thread (grows on first use, then reused): what each
  // thread of a decode step normalises the hidden state into, so none waits for another's norm.
  static float* thread_row(std::int64_t floats);
  // Weight elements per layer (sizes the decode team).
  std::int64_t layer_weights_ = 0;

  // The state as a DecoderState after checking that ids fit, are in the vocabulary and that rows
  // are ascending indices into them (nothing is changed when a check fails).
  DecoderState& checked_state(std::span<const std::int32_t> ids, CausalState& state,
                              std::span<const std::int64_t> rows) const;

  io::ModelConfig config_;
  DecoderShape shape_;
  ModuleRegistry modules_;
  Embedding embed_;
  Norm final_norm_;
  Linear lm_head_;
};

std::unique_ptr<CausalLM> make_llama(const io::ModelConfig& config, WeightBinder& weights);
std::unique_ptr<CausalLM> make_gpt2(const io::ModelConfig& config, WeightBinder& weights);

}  // namespace nib::models
