// Llama-family decoder (LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM): pre-RMSNorm
// blocks, rotate-half RoPE on q and k, grouped-query attention (optionally sliding-window), SwiGLU
// MLP, tied or separate LM head. Keys and values are projected straight into an f32 KV cache.
#include <omp.h>

#include <algorithm>
#include <string>
#include <vector>

#include <nib/error.hpp>

#include "models/decoder_lm.hpp"
#include "models/rope_frequencies.hpp"

namespace nib::models {

namespace {

using kernels::Layout;

class Llama final : public DecoderLM {
 public:
  Llama(const io::ModelConfig& c, WeightBinder& w) : DecoderLM(c, shape_of(c)) {
    const std::int64_t h = c.hidden_size, q_dim = c.num_heads * c.head_dim,
                       kv_dim = c.num_kv_heads * c.head_dim;
    const std::int64_t inter = c.intermediate_size;
    const auto eps = static_cast<float>(c.norm_eps);
    if (c.activation != io::Activation::Silu) {
      throw Error(Status::Unsupported, c.architecture + ": only the SiLU-gated MLP is implemented");
    }
    embed_ = {w.vocab_matrix("model.embed_tokens.weight", c.vocab_size, h, Layout::OutIn)};
    for (int i = 0; i < static_cast<int>(c.num_layers); ++i) {
      const std::string p = "model.layers." + std::to_string(i) + ".";
      auto lin = [&](const std::string& name, std::int64_t in, std::int64_t out, bool bias) {
        return bind_linear(w, p + name, p + name, in, out, Layout::OutIn, i, bias);
      };
      Layer l;
      l.attn_norm = {w.get(p + "input_layernorm.weight", {h}), nullptr, eps, true};
      l.q = lin("self_attn.q_proj", h, q_dim, c.attention_bias);
      l.k = lin("self_attn.k_proj", h, kv_dim, c.attention_bias);
      l.v = lin("self_attn.v_proj", h, kv_dim, c.attention_bias);
      l.o = lin("self_attn.o_proj", q_dim, h, c.attention_out_bias);
      l.mlp_norm = {w.get(p + "post_attention_layernorm.weight", {h}), nullptr, eps, true};
      l.gate = lin("mlp.gate_proj", h, inter, c.mlp_bias);
      l.up = lin("mlp.up_proj", h, inter, c.mlp_bias);
      l.down = lin("mlp.down_proj", inter, h, c.mlp_bias);
      layers_.push_back(l);
    }
    final_norm_ = {w.get("model.norm.weight", {h}), nullptr, eps, true};
    if (c.tie_word_embeddings) {
      lm_head_.w = embed_.table;
      lm_head_.module = modules_.add("lm_head", h, c.vocab_size, Layout::OutIn, -1);
    } else {
      lm_head_ = bind_linear(w, "lm_head", "lm_head", h, c.vocab_size, Layout::OutIn, -1, false);
    }
    if (!rope_depends_on_length(c)) {
      inv_freq_.resize(static_cast<std::size_t>(c.head_dim / 2));
      rope_inv_freq(c, 0, inv_freq_);
    }
  }

 private:
  struct Layer {
    Norm attn_norm, mlp_norm;
    Linear q, k, v, o, gate, up, down;
  };

  static DecoderShape shape_of(const io::ModelConfig& c) {
    DecoderShape s;
    s.layers = c.num_layers;
    s.hidden = c.hidden_size;
    s.kv_dim = c.num_kv_heads * c.head_dim;
    s.proj_width = c.num_heads * c.head_dim;
    s.attn_width = s.proj_width;
    s.ffn_width = c.intermediate_size;
    s.heads = c.num_heads;
    s.kv_heads = c.num_kv_heads;
    s.head_dim = c.head_dim;
    s.rope_half = c.head_dim / 2;
    return s;
  }

  void layers(std::span<const std::int32_t> ids, DecoderState& s,
              const AdapterView* adapters) const override {
    const auto n = static_cast<std::int64_t>(ids.size());
    const std::int64_t h = shape_.hidden, kv_dim = shape_.kv_dim, pos0 = s.length();
    const std::int64_t q_dim = shape_.proj_width, hd = shape_.head_dim;
    const float* inv_freq = inv_freq_.data();
    if (inv_freq_.empty()) {  // dynamic NTK: frequencies follow the sequence length
      rope_inv_freq(config_, pos0 + n, s.inv_freq);
      inv_freq = s.inv_freq.data();
    }
    kernels::rope_table(s.positions.data(), n, inv_freq, shape_.rope_half, 1.f, s.rope.data());
    float* lora = s.lora(adapters);
    gather_rows(embed_, ids, s.x.data());

    kernels::AttentionShape as;
    as.n_q = n;
    as.n_kv = pos0 + n;
    as.n_heads = shape_.heads;
    as.n_kv_heads = shape_.kv_heads;
    as.head_dim = hd;
    as.q_stride = q_dim;
    as.out_stride = q_dim;
    as.q_pos0 = pos0;
    as.window = config_.sliding_window;

    if (const int team = decode_team(n, adapters)) return decode(s, as, team);
    for (std::size_t i = 0; i < layers_.size(); ++i) {
      const Layer& l = layers_[i];
      const auto layer = static_cast<std::int64_t>(i);
      float* k_new = s.new_keys();
      apply_norm(l.attn_norm, s.x.data(), s.xn.data(), n, h);
      const LinearOut qkv[] = {{&l.q, s.proj.data()}, {&l.k, k_new}, {&l.v, s.new_values()}};
      apply_linears(qkv, s.xn.data(), n, adapters, lora);
      kernels::rope_apply(s.proj.data(), n, shape_.heads, hd, q_dim, s.rope.data());
      kernels::rope_apply(k_new, n, shape_.kv_heads, hd, kv_dim, s.rope.data());
      s.store_kv(layer, n);
      s.attend(layer, s.proj.data(), as, s.attn.data());
      apply_linear(l.o, s.attn.data(), n, s.tmp.data(), adapters, lora);
      residual_add(s.x.data(), s.tmp.data(), n);

      apply_norm(l.mlp_norm, s.x.data(), s.xn.data(), n, h);
      const std::int64_t inter = shape_.ffn_width;
      const LinearOut gate_up[] = {{&l.gate, s.ffn_a.data()}, {&l.up, s.ffn_b.data()}};
      apply_linears(gate_up, s.xn.data(), n, adapters, lora);
      kernels::silu_mul(s.ffn_a.data(), s.ffn_b.data(), s.ffn_a.data(), n * inter);
      apply_linear(l.down, s.ffn_a.data(), n, s.tmp.data(), adapters, lora);
      residual_add(s.x.data(), s.tmp.data(), n);
    }
  }

  // The layers for one token (no adapters) in one parallel region of `team` threads. Each thread
  // normalises x into its own row, computes whole heads of k (which it then rotates and stores),
  // rows of q and v, then its attention heads (rotating their q first), rows of o_proj (added
  // straight into x), the same rows of gate and up (so SiLU·mul follows on them) and rows of down
  // (added into x); a barrier separates each step from the next one that reads its output. The rows
  // of a projection are taken from a RowQueue (each thread's own share first, then what is left of
  // others'). Every value is computed by the same kernels in the same order as the reference path.
  void decode(DecoderState& s, const kernels::AttentionShape& as, int team) const {
    const std::int64_t h = shape_.hidden, kv_dim = shape_.kv_dim, q_dim = shape_.proj_width;
    const std::int64_t hd = shape_.head_dim, inter = shape_.ffn_width;
    const Layer& l0 = layers_.front();
    auto split = [](const Linear& lin, std::int64_t ways) {
      const std::int64_t align = kernels::kGemvRowAlign;
      return kernels::RowSplit{lin.w.n, align,
                               kernels::row_chunk(ways * kernels::weight_bytes(lin.w) / lin.w.n, align)};
    };
    const kernels::RowSplit q_rows = split(l0.q, 1), v_rows = split(l0.v, 1), o_rows = split(l0.o, 1);
    const kernels::RowSplit ffn_rows = split(l0.gate, 2), down_rows = split(l0.down, 1);
    // References, not a structured binding: clang cannot capture those in an OpenMP region.
    kernels::RowQueue &q_queue = s.row_queues[0], &v_queue = s.row_queues[1], &o_queue = s.row_queues[2];
    kernels::RowQueue &ffn_queue = s.row_queues[3], &down_queue = s.row_queues[4];
    kernels::TeamBarrier& barrier = s.barrier;
    for (auto& queue : s.row_queues) queue.reserve(team);
#pragma omp parallel num_threads(team)
    {
      const int parts = omp_get_num_threads(), part = omp_get_thread_num();
      float* xn = thread_row(h);
      std::int64_t k0, k1, r0 = 0, r1 = 0;
      kernels::share(kv_dim, parts, part, hd, k0, k1);  // whole heads: this thread rotates them
      const int slots = std::min(parts, kernels::attention_slots());
      if (part < slots) kernels::share(shape_.heads, slots, part, 1, r0, r1);
      float *x = s.x.data(), *q = s.proj.data(), *attn = s.attn.data();
      float *gate = s.ffn_a.data(), *up = s.ffn_b.data();
      for (std::size_t i = 0; i < layers_.size(); ++i) {
        const Layer& l = layers_[i];
        const auto layer = static_cast<std::int64_t>(i);
        float *k = s.new_keys(), *v = s.new_values();
        kernels::rms_norm(x, l.attn_norm.weight, xn, 1, h, l.attn_norm.eps);
        const auto normed = kernels::matvec_input(xn, h, l.q.w.storage);
        kernels::matvec_rows(normed, l.k.w, l.k.bias, k, false, k0, k1);
        kernels::rope_apply(k + k0, 1, (k1 - k0) / hd, hd, kv_dim, s.rope.data());
        s.store_keys(layer, k0, k1);
        q_queue.take(q_rows, parts, part, [&](std::int64_t a, std::int64_t b) {
          kernels::matvec_rows(normed, l.q.w, l.q.bias, q, false, a, b);
        });
        v_queue.take(v_rows, parts, part, [&](std::int64_t a, std::int64_t b) {
          kernels::matvec_rows(normed, l.v.w, l.v.bias, v, false, a, b);
          s.store_values(layer, a, b);
        });
        barrier.wait(parts);
        kernels::rope_apply(q + r0 * hd, 1, r1 - r0, hd, q_dim, s.rope.data());
        s.attend_rows(layer, q, as, attn, part, r0, r1);
        barrier.wait(parts);
        const auto heads = kernels::matvec_input(attn, q_dim, l.o.w.storage);
        o_queue.take(o_rows, parts, part, [&](std::int64_t a, std::int64_t b) {
          kernels::matvec_rows(heads, l.o.w, l.o.bias, x, true, a, b);
        });
        barrier.wait(parts);
        kernels::rms_norm(x, l.mlp_norm.weight, xn, 1, h, l.mlp_norm.eps);
        const auto mlp_in = kernels::matvec_input(xn, h, l.gate.w.storage);
        ffn_queue.take(ffn_rows, parts, part, [&](std::int64_t a, std::int64_t b) {
          kernels::matvec_rows(mlp_in, l.gate.w, l.gate.bias, gate, false, a, b);
          kernels::matvec_rows(mlp_in, l.up.w, l.up.bias, up, false, a, b);
          kernels::silu_mul(gate + a, up + a, gate + a, b - a);
        });
        barrier.wait(parts);
        const auto act = kernels::matvec_input(gate, inter, l.down.w.storage);
        down_queue.take(down_rows, parts, part, [&](std::int64_t a, std::int64_t b) {
          kernels::matvec_rows(act, l.down.w, l.down.bias, x, true, a, b);
        });
        barrier.wait(parts);
      }
    }
  }

  std::vector<Layer> layers_;
  std::vector<float> inv_freq_;  // fixed frequencies (empty for dynamic scaling)
};

}  // namespace

std::unique_ptr<CausalLM> make_llama(const io::ModelConfig& config, WeightBinder& weights) {
  return std::make_unique<Llama>(config, weights);
}

}  // namespace nib::models
