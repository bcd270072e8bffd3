// GPT-2 (GPT2LMHeadModel): learned absolute positions, pre-LayerNorm blocks, Conv1D projections
// stored [in, out] (read in place as Layout::InOut), fused c_attn producing q|k|v, gelu_new MLP,
// LM head tied to the token embedding.
#include <omp.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "models/decoder_lm.hpp"

namespace nib::models {

namespace {

using kernels::Layout;

class Gpt2 final : public DecoderLM {
 public:
  Gpt2(const io::ModelConfig& c, WeightBinder& w) : DecoderLM(c, shape_of(c)) {
    const std::int64_t e = c.hidden_size, inter = c.intermediate_size;
    const auto eps = static_cast<float>(c.norm_eps);
    // Hub checkpoints name tensors "transformer.h.0..." or, in the original gpt2 upload, "h.0...".
    const std::string t = w.has("transformer.wte.weight") ? "transformer." : "";
    embed_ = {w.vocab_matrix(t + "wte.weight", c.vocab_size, e, Layout::OutIn)};
    positions_ = f32_embedding(w.get(t + "wpe.weight", {c.max_positions, e}), c.max_positions, e);
    for (int i = 0; i < static_cast<int>(c.num_layers); ++i) {
      const std::string m = "transformer.h." + std::to_string(i) + ".";
      const std::string p = t + "h." + std::to_string(i) + ".";
      auto conv = [&](const std::string& name, std::int64_t in, std::int64_t out) {
        return bind_linear(w, m + name, p + name, in, out, Layout::InOut, i, true);
      };
      Layer l;
      l.ln_1 = {w.get(p + "ln_1.weight", {e}), w.get(p + "ln_1.bias", {e}), eps, false};
      l.c_attn = conv("attn.c_attn", e, 3 * e);
      l.attn_proj = conv("attn.c_proj", e, e);
      l.ln_2 = {w.get(p + "ln_2.weight", {e}), w.get(p + "ln_2.bias", {e}), eps, false};
      l.c_fc = conv("mlp.c_fc", e, inter);
      l.mlp_proj = conv("mlp.c_proj", inter, e);
      layers_.push_back(l);
    }
    final_norm_ = {w.get(t + "ln_f.weight", {e}), w.get(t + "ln_f.bias", {e}), eps, false};
    if (c.tie_word_embeddings) {
      lm_head_.w = embed_.table;
      lm_head_.module = modules_.add("lm_head", e, c.vocab_size, Layout::OutIn, -1);
    } else {
      lm_head_ = bind_linear(w, "lm_head", "lm_head", e, c.vocab_size, Layout::OutIn, -1, false);
    }
  }

 private:
  struct Layer {
    Norm ln_1, ln_2;
    Linear c_attn, attn_proj, c_fc, mlp_proj;
  };

  static DecoderShape shape_of(const io::ModelConfig& c) {
    DecoderShape s;
    s.layers = c.num_layers;
    s.hidden = c.hidden_size;
    s.kv_dim = c.hidden_size;
    s.proj_width = 3 * c.hidden_size;
    s.attn_width = c.hidden_size;
    s.ffn_width = c.intermediate_size;
    s.heads = s.kv_heads = c.num_heads;
    s.head_dim = c.head_dim;
    return s;
  }

  std::int64_t max_context() const override { return config_.max_positions; }

  void layers(std::span<const std::int32_t> ids, DecoderState& s,
              const AdapterView* adapters) const override {
    const auto n = static_cast<std::int64_t>(ids.size());
    const std::int64_t e = shape_.hidden, pos0 = s.length();
    float* lora = s.lora(adapters);
    gather_rows(embed_, ids, s.x.data());
    add_rows(positions_, std::span(s.positions.data(), static_cast<std::size_t>(n)), s.x.data());

    kernels::AttentionShape as;
    as.n_q = n;
    as.n_kv = pos0 + n;
    as.n_heads = as.n_kv_heads = shape_.heads;
    as.head_dim = shape_.head_dim;
    as.q_stride = 3 * e;  // q is read in place from the fused q|k|v rows
    as.out_stride = e;
    as.q_pos0 = pos0;

    if (const int team = decode_team(n, adapters); team && fused_step_applies()) return decode(s, as, team);
    for (std::size_t i = 0; i < layers_.size(); ++i) {
      const Layer& l = layers_[i];
      const auto layer = static_cast<std::int64_t>(i);
      float *k = s.new_keys(), *v = s.new_values();
      apply_norm(l.ln_1, s.x.data(), s.xn.data(), n, e);
      apply_linear(l.c_attn, s.xn.data(), n, s.proj.data(), adapters, lora);
      for (std::int64_t t = 0; t < n; ++t) {
        const float* row = s.proj.data() + t * 3 * e;
        std::memcpy(k + t * e, row + e, sizeof(float) * static_cast<std::size_t>(e));
        std::memcpy(v + t * e, row + 2 * e, sizeof(float) * static_cast<std::size_t>(e));
      }
      s.store_kv(layer, n);
      s.attend(layer, s.proj.data(), as, s.attn.data());
      apply_linear(l.attn_proj, s.attn.data(), n, s.tmp.data(), adapters, lora);
      residual_add(s.x.data(), s.tmp.data(), n);

      apply_norm(l.ln_2, s.x.data(), s.xn.data(), n, e);
      apply_linear(l.c_fc, s.xn.data(), n, s.ffn_a.data(), adapters, lora, kernels::Epilogue::GeluTanh);
      apply_linear(l.mlp_proj, s.ffn_a.data(), n, s.tmp.data(), adapters, lora);
      residual_add(s.x.data(), s.tmp.data(), n);
    }
  }

  // The fused step needs every projection split along K at M = 1, as matmul splits it (InOut
  // weights; int8 and int4 ones are stored OutIn and take the reference path).
  bool fused_step_applies() const {
    return std::all_of(layers_.begin(), layers_.end(), [](const Layer& l) {
      return kernels::matvec_splits_rows(l.c_attn.w) && kernels::matvec_splits_rows(l.attn_proj.w) &&
             kernels::matvec_splits_rows(l.c_fc.w) && kernels::matvec_splits_rows(l.mlp_proj.w);
    });
  }

  // The layers for one token (no adapters) in one parallel region of `team` threads, with the sums
  // of the reference path: every projection is split along K into matmul's blocks, which threads
  // take from a RowQueue (their own share first, then what others have left), each block's partial
  // sums written to its own row (matvec_partial) before a barrier; then each thread adds up the
  // outputs it needs (sum_partials, in block order). Each thread keeps its own copy of x and adds
  // the whole residual itself (a few thousand additions) rather than waiting for the others at one
  // more barrier, and adds up q, k and v of its own attention heads only. The thread that takes a
  // block of mlp.c_proj first adds up, biases and activates the c_fc outputs that block multiplies.
  // Two sets of partials alternate, so no thread overwrites sums another may still read.
  void decode(DecoderState& s, const kernels::AttentionShape& as, int team) const {
    const std::int64_t e = shape_.hidden, inter = shape_.ffn_width, hd = shape_.head_dim, qkv = 3 * e;
    const Layer& l0 = layers_.front();
    std::int64_t set = 0;
    for (const Linear* lin : {&l0.c_attn, &l0.attn_proj, &l0.c_fc, &l0.mlp_proj})
      set = std::max(set, kernels::partial_blocks(lin->w) * lin->w.n);
    if (s.partials.size() < static_cast<std::size_t>(2 * set))
      s.partials.resize(static_cast<std::size_t>(2 * set));
    auto blocks_of = [](const Linear& lin) { return kernels::RowSplit{lin.w.k, kernels::kPartialRows, 1}; };
    const kernels::RowSplit qkv_in = blocks_of(l0.c_attn), attn_in = blocks_of(l0.attn_proj);
    const kernels::RowSplit ffn_in = blocks_of(l0.c_fc), ffn_out = blocks_of(l0.mlp_proj);
    kernels::RowQueue &qkv_queue = s.row_queues[0], &attn_queue = s.row_queues[1];
    kernels::RowQueue &ffn_queue = s.row_queues[2], &out_queue = s.row_queues[3];
    kernels::TeamBarrier& barrier = s.barrier;
    for (auto& queue : s.row_queues) queue.reserve(team);
#pragma omp parallel num_threads(team)
    {
      const int parts = omp_get_num_threads(), part = omp_get_thread_num();
      // Blocks of a projection's K rows (each taken whole: the split's align is a block).
      auto take = [&](kernels::RowQueue& queue, const kernels::RowSplit& rows, auto&& block) {
        queue.take(rows, parts, part,
                   [&](std::int64_t r0, std::int64_t r1) { block(r0 / kernels::kPartialRows, r0, r1); });
      };
      const int slots = std::min(parts, kernels::attention_slots());
      std::int64_t r0 = 0, r1 = 0;
      if (part < slots) kernels::share(shape_.heads, slots, part, 1, r0, r1);
      const std::int64_t c0 = r0 * hd, c1 = r1 * hd;  // q, k, v columns of this thread's heads
      float* x = thread_row(3 * e);
      float *xn = x + e, *sum = xn + e;
      std::copy(s.x.data(), s.x.data() + e, x);
      float *pa = s.partials.data(), *pb = pa + set, *q = s.proj.data(), *attn = s.attn.data();
      float* ffn = s.ffn_a.data();
      auto residual = [&](const Linear& lin, const float* partials) {
        kernels::sum_partials(partials, e, kernels::partial_blocks(lin.w), lin.bias, sum, false, e);
        kernels::add_inplace(x, sum, e);
      };
      for (std::size_t i = 0; i < layers_.size(); ++i) {
        const Layer& l = layers_[i];
        const auto layer = static_cast<std::int64_t>(i);
        kernels::layer_norm(x, l.ln_1.weight, l.ln_1.bias, xn, 1, e, l.ln_1.eps);
        take(qkv_queue, qkv_in, [&](std::int64_t b, std::int64_t, std::int64_t) {
          kernels::matvec_partial(xn, l.c_attn.w, b, pa + b * qkv);
        });
        barrier.wait(parts);
        const float* bias = l.c_attn.bias;
        float* out[3] = {q, s.new_keys(), s.new_values()};
        for (int j = 0; j < 3; ++j)
          kernels::sum_partials(pa + j * e + c0, qkv, kernels::partial_blocks(l.c_attn.w), bias + j * e + c0,
                                out[j] + c0, false, c1 - c0);
        s.store_keys(layer, c0, c1);
        s.store_values(layer, c0, c1);
        s.attend_rows(layer, q, as, attn, part, r0, r1);
        barrier.wait(parts);
        take(attn_queue, attn_in, [&](std::int64_t b, std::int64_t, std::int64_t) {
          kernels::matvec_partial(attn, l.attn_proj.w, b, pb + b * e);
        });
        barrier.wait(parts);
        residual(l.attn_proj, pb);
        kernels::layer_norm(x, l.ln_2.weight, l.ln_2.bias, xn, 1, e, l.ln_2.eps);
        take(ffn_queue, ffn_in, [&](std::int64_t b, std::int64_t, std::int64_t) {
          kernels::matvec_partial(xn, l.c_fc.w, b, pa + b * inter);
        });
        barrier.wait(parts);
        take(out_queue, ffn_out, [&](std::int64_t b, std::int64_t f0, std::int64_t f1) {
          kernels::sum_partials(pa + f0, inter, kernels::partial_blocks(l.c_fc.w), l.c_fc.bias + f0, ffn + f0,
                                false, f1 - f0);
          kernels::gelu_tanh(ffn + f0, f1 - f0);
          kernels::matvec_partial(ffn, l.mlp_proj.w, b, pb + b * e);
        });
        barrier.wait(parts);
        residual(l.mlp_proj, pb);
      }
      if (part == 0) std::copy(x, x + e, s.x.data());
    }
  }

  Embedding positions_;
  std::vector<Layer> layers_;
};

}  // namespace

std::unique_ptr<CausalLM> make_gpt2(const io::ModelConfig& config, WeightBinder& weights) {
  return std::make_unique<Gpt2>(config, weights);
}

}  // namespace nib::models
