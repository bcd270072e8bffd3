// GPT-2 (GPT2LMHeadModel): learned absolute positions, pre-LayerNorm blocks, Conv1D projections
// stored [in, out] (read in place as Layout::InOut), fused c_attn producing q|k|v, gelu_new MLP,
// LM head tied to the token embedding.
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
    embed_ = {w.matrix(t + "wte.weight", c.vocab_size, e, Layout::OutIn)};
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
    as.kv_stride = e;
    as.out_stride = e;
    as.q_pos0 = pos0;

    for (std::size_t i = 0; i < layers_.size(); ++i) {
      const Layer& l = layers_[i];
      const auto layer = static_cast<std::int64_t>(i);
      float *k = s.new_keys(layer), *v = s.new_values(layer);
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

  Embedding positions_;
  std::vector<Layer> layers_;
};

}  // namespace

std::unique_ptr<CausalLM> make_gpt2(const io::ModelConfig& config, WeightBinder& weights) {
  return std::make_unique<Gpt2>(config, weights);
}

}  // namespace nib::models
