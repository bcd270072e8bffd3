#include "models/encoder.hpp"

#include <algorithm>
#include <cstring>

#include <nib/error.hpp>

#include "kernels/kernels.hpp"

namespace nib::models {

namespace {

template <class T>
T* sized(std::vector<T>& v, std::int64_t n) {
  if (v.size() < static_cast<std::size_t>(n)) v.resize(static_cast<std::size_t>(n));
  return v.data();
}

float* lora_scratch(EncoderWorkspace& ws, std::int64_t m, const AdapterView* adapters) {
  return adapters ? sized(ws.lora, m * std::max<std::int64_t>(adapters->max_total_rank(), 1)) : nullptr;
}

// One past the last unmasked position: with right padding, the sequence's length.
std::int64_t extent(const std::uint8_t* mask, std::int64_t n) {
  while (n > 0 && !mask[n - 1]) --n;
  return n;
}

}  // namespace

Linear bind_linear(WeightBinder& weights, ModuleRegistry& modules, const std::string& name, std::int64_t in,
                   std::int64_t out, int layer, bool bias) {
  Linear l;
  // Layer projections always see M = tokens (>= 2: [CLS] ... [SEP]); the heads may see M = 1.
  l.w = weights.matrix(name + ".weight", out, in, kernels::Layout::OutIn, layer >= 0);
  l.bias = bias ? weights.get(name + ".bias", {out}) : nullptr;
  l.module = modules.add(name, in, out, kernels::Layout::OutIn, layer);
  return l;
}

Norm bind_layer_norm(WeightBinder& weights, const std::string& name, std::int64_t dim, double eps) {
  return {weights.get(name + ".weight", {dim}), weights.get(name + ".bias", {dim}), static_cast<float>(eps),
          false};
}

std::vector<EncoderLayer> bind_encoder_layers(const io::ModelConfig& c, WeightBinder& weights,
                                              ModuleRegistry& modules, const std::string& prefix,
                                              const EncoderLayerNames& names) {
  const std::int64_t h = c.hidden_size, inter = c.intermediate_size;
  std::vector<EncoderLayer> layers;
  for (int i = 0; i < c.num_layers; ++i) {
    const std::string l = prefix + names.layers + std::to_string(i) + ".";
    EncoderLayer layer;
    layer.q = bind_linear(weights, modules, l + names.q, h, h, i);
    layer.k = bind_linear(weights, modules, l + names.k, h, h, i);
    layer.v = bind_linear(weights, modules, l + names.v, h, h, i);
    layer.attn_out = bind_linear(weights, modules, l + names.attn_out, h, h, i);
    layer.attn_norm = bind_layer_norm(weights, l + names.attn_norm, h, c.norm_eps);
    layer.ffn_in = bind_linear(weights, modules, l + names.ffn_in, h, inter, i);
    layer.ffn_out = bind_linear(weights, modules, l + names.ffn_out, inter, h, i);
    layer.out_norm = bind_layer_norm(weights, l + names.out_norm, h, c.norm_eps);
    layers.push_back(layer);
  }
  return layers;
}

Linear bind_tied_decoder(WeightBinder& weights, ModuleRegistry& modules, const std::string& name,
                         const std::string& bias_name, const Embedding& word) {
  const std::int64_t h = word.dim(), v = word.rows();
  Linear l;
  l.w = weights.has(name + ".weight") ? weights.matrix(name + ".weight", v, h, kernels::Layout::OutIn)
                                      : word.table;
  l.bias = weights.get(bias_name, {v});
  l.module = modules.add(name, h, v, kernels::Layout::OutIn, -1);
  return l;
}

Encoder::Encoder(const io::ModelConfig& config, ModuleRegistry modules, EncoderWeights weights)
    : config_(config), modules_(std::move(modules)), w_(std::move(weights)) {}

std::int64_t Encoder::max_tokens() const {
  return w_.padding_offset_positions ? w_.position.rows() - w_.padding_idx - 1 : w_.position.rows();
}

void Encoder::embed(const EncoderBatch& b, EncoderWorkspace& ws) const {
  const std::int64_t rows = b.rows(), h = hidden_size();
  float* x = sized(ws.x, rows * h);
  gather_rows(w_.word, b.ids, x);

  auto& pos = ws.positions;
  pos.assign(static_cast<std::size_t>(rows), 0);
  for (std::int64_t s = 0; s < b.batch; ++s) {
    std::int64_t count = 0;
    for (std::int64_t t = 0; t < b.seq_len; ++t) {
      const auto i = static_cast<std::size_t>(s * b.seq_len + t);
      if (!w_.padding_offset_positions) {
        pos[i] = t;
      } else if (b.ids[i] != w_.padding_idx) {  // HF derives RoBERTa positions from the ids, not the mask
        pos[i] = w_.padding_idx + ++count;
      } else {
        pos[i] = w_.padding_idx;
      }
    }
  }
  add_rows(w_.position, pos, x);

  if (w_.token_type.table.data) {
    if (b.type_ids.empty()) {
      for (std::int64_t r = 0; r < rows; ++r) kernels::add_inplace(x + r * h, w_.token_type.f32(), h);
    } else {
      pos.assign(b.type_ids.begin(), b.type_ids.end());
      add_rows(w_.token_type, pos, x);
    }
  }
  apply_norm(w_.embed_norm, x, x, rows, h);
}

void Encoder::attend(const EncoderBatch& b, EncoderWorkspace& ws) const {
  const std::int64_t h = hidden_size(), t = b.seq_len;
  kernels::AttentionShape shape;
  shape.n_heads = shape.n_kv_heads = config_.num_heads;
  shape.head_dim = config_.head_dim;
  shape.q_stride = shape.kv_stride = shape.out_stride = h;
  shape.causal = false;
  shape.n_q = shape.n_kv = t;
  float* scratch = sized(ws.attn, kernels::attention_scratch_floats(shape));
  for (std::int64_t s = 0; s < b.batch; ++s) {
    const std::uint8_t* mask = b.mask.data() + s * t;
    // Keys and queries past the last real token are skipped: right padding costs nothing and the
    // sums over real keys are exactly those of the unpadded sequence.
    const std::int64_t len = extent(mask, t);
    shape.n_q = shape.n_kv = len;
    const bool holes = std::find(mask, mask + len, 0) != mask + len;
    const std::int64_t off = s * t * h;
    kernels::attention(ws.q.data() + off, ws.k.data() + off, ws.v.data() + off, shape, ws.ctx.data() + off,
                       scratch, holes ? mask : nullptr);
    std::fill(ws.ctx.begin() + off + len * h, ws.ctx.begin() + off + t * h, 0.f);
  }
}

void Encoder::encode(const EncoderBatch& b, std::vector<float>& hidden, EncoderWorkspace& ws,
                     const AdapterView* adapters) const {
  const std::int64_t m = b.rows(), h = hidden_size(), inter = config_.intermediate_size;
  if (b.batch < 0 || b.seq_len < 0 || static_cast<std::int64_t>(b.ids.size()) != m ||
      static_cast<std::int64_t>(b.mask.size()) != m || (!b.type_ids.empty() && std::ssize(b.type_ids) != m)) {
    throw Error(Status::InvalidArgument,
                "encoder batch: ids, mask and type ids must each hold batch x seq_len");
  }
  if (b.seq_len > max_tokens()) {
    throw Error(Status::InvalidArgument, "encoder batch: sequence length " + std::to_string(b.seq_len) +
                                             " exceeds the model's " + std::to_string(max_tokens()) +
                                             " positions");
  }
  embed(b, ws);
  float* x = ws.x.data();
  float* q = sized(ws.q, m * h);
  float* k = sized(ws.k, m * h);
  float* v = sized(ws.v, m * h);
  float* ctx = sized(ws.ctx, m * h);
  float* ffn = sized(ws.ffn, m * inter);
  float* lora = lora_scratch(ws, m, adapters);
  for (const auto& l : w_.layers) {
    apply_linear(l.q, x, m, q, adapters, lora);
    apply_linear(l.k, x, m, k, adapters, lora);
    apply_linear(l.v, x, m, v, adapters, lora);
    attend(b, ws);
    apply_linear_add(l.attn_out, ctx, m, x, adapters, lora);  // post-norm: x = LN(x + attention)
    apply_norm(l.attn_norm, x, x, m, h);
    apply_linear(l.ffn_in, x, m, ffn, adapters, lora, epilogue(w_.activation));
    apply_linear_add(l.ffn_out, ffn, m, x, adapters, lora);
    apply_norm(l.out_norm, x, x, m, h);
  }
  hidden.assign(ws.x.begin(), ws.x.begin() + m * h);
}

void Encoder::classify(const EncoderBatch& b, const float* hidden, float* logits, EncoderWorkspace& ws,
                       const AdapterView* adapters) const {
  if (!w_.heads.sequence) {
    throw Error(
        Status::InvalidArgument,
        config_.architecture + " has no sequence-classification head (needs *ForSequenceClassification)");
  }
  const std::int64_t h = hidden_size();
  float* first = sized(ws.q, b.batch * h);
  for (std::int64_t s = 0; s < b.batch; ++s) {
    std::memcpy(first + s * h, hidden + s * b.seq_len * h, sizeof(float) * static_cast<std::size_t>(h));
  }
  run_sequence_head(*w_.heads.sequence, first, b.batch, logits, ws.head, lora_scratch(ws, b.batch, adapters),
                    adapters);
}

void Encoder::mlm_logits(const float* hidden, std::span<const std::int64_t> rows, float* logits,
                         EncoderWorkspace& ws, const AdapterView* adapters) const {
  if (!w_.heads.mlm) {
    throw Error(Status::InvalidArgument,
                config_.architecture + " has no masked-LM head (needs *ForMaskedLM)");
  }
  const std::int64_t h = hidden_size(), n = std::ssize(rows);
  float* x = sized(ws.q, n * h);
  for (std::int64_t i = 0; i < n; ++i) {
    std::memcpy(x + i * h, hidden + rows[static_cast<std::size_t>(i)] * h,
                sizeof(float) * static_cast<std::size_t>(h));
  }
  run_mlm_head(*w_.heads.mlm, x, n, logits, ws.head, lora_scratch(ws, n, adapters), adapters);
}

void Encoder::token_logits(const float* hidden, std::int64_t n_rows, float* logits, EncoderWorkspace& ws,
                           const AdapterView* adapters) const {
  if (!w_.heads.token) {
    throw Error(Status::InvalidArgument,
                config_.architecture + " has no token-classification head (needs *ForTokenClassification)");
  }
  apply_linear(w_.heads.token->out, hidden, n_rows, logits, adapters, lora_scratch(ws, n_rows, adapters));
}

std::unique_ptr<Encoder> make_encoder(const io::ModelConfig& config, WeightBinder& weights) {
  ModuleRegistry modules;
  EncoderWeights w;
  switch (config.family) {
    case io::Family::Bert: w = bind_bert(config, weights, modules); break;
    case io::Family::DistilBert: w = bind_distilbert(config, weights, modules); break;
    default: throw Error(Status::Unsupported, config.architecture + " is not an encoder architecture");
  }
  return std::make_unique<Encoder>(config, std::move(modules), std::move(w));
}

}  // namespace nib::models
