#pragma once
// A bidirectional post-LN encoder (BERT, RoBERTa/XLM-R, DistilBERT) with its task heads: a padded
// batch of token ids in, hidden states out; heads read the hidden states of the rows they need.
// The families differ only in weight names, position ids and token types, so one forward pass
// serves them all; bert.cpp and distilbert.cpp bind the weights.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "io/model_config.hpp"
#include "models/blocks.hpp"
#include "models/encoder_heads.hpp"
#include "models/weight_binder.hpp"

namespace nib::models {

// A batch: ids, attention mask (0 = padding) and token type ids, each [batch, seq_len] row-major.
// type_ids may be empty (all 0).
struct EncoderBatch {
  std::int64_t batch = 0, seq_len = 0;
  std::vector<std::int32_t> ids;
  std::vector<std::uint8_t> mask;
  std::vector<std::int32_t> type_ids;

  std::int64_t rows() const { return batch * seq_len; }
};

struct EncoderLayer {
  Linear q, k, v, attn_out;
  Norm attn_norm;  // LayerNorm(x + attention)
  Linear ffn_in, ffn_out;
  Norm out_norm;  // LayerNorm(x + ffn)
};

struct EncoderWeights {
  Embedding word, position, token_type;  // token_type.table null: no token types (DistilBERT)
  Norm embed_norm;
  std::vector<EncoderLayer> layers;
  io::Activation activation = io::Activation::GeluErf;
  // RoBERTa: position ids count from padding_idx + 1 over non-pad tokens; pads sit at padding_idx.
  bool padding_offset_positions = false;
  std::int32_t padding_idx = 0;
  EncoderHeads heads;
};

// Reusable activation buffers of a forward pass; grown on demand, owned by the session.
struct EncoderWorkspace {
  std::vector<float> x, q, k, v, ctx, ffn, lora, attn, head;
  std::vector<std::int64_t> positions;
};

class Encoder {
 public:
  Encoder(const io::ModelConfig& config, ModuleRegistry modules, EncoderWeights weights);

  const io::ModelConfig& config() const { return config_; }
  const ModuleRegistry& modules() const { return modules_; }
  const EncoderHeads& heads() const { return w_.heads; }
  std::int64_t hidden_size() const { return config_.hidden_size; }
  // Longest sequence the position table allows (RoBERTa loses padding_idx + 1 slots).
  std::int64_t max_tokens() const;

  // Final hidden states [batch * seq_len, hidden]. Rows up to a sequence's last unmasked token equal
  // the one-at-a-time result; rows of trailing padding attend to nothing and mean nothing.
  void encode(const EncoderBatch& batch, std::vector<float>& hidden, EncoderWorkspace& ws,
              const AdapterView* adapters) const;

  // Sequence-classification logits [batch, num_labels] from the first token of each sequence.
  void classify(const EncoderBatch& batch, const float* hidden, float* logits, EncoderWorkspace& ws,
                const AdapterView* adapters) const;
  // Masked-LM logits [rows.size(), vocab] at the given rows of hidden (indices into batch * seq_len).
  void mlm_logits(const float* hidden, std::span<const std::int64_t> rows, float* logits,
                  EncoderWorkspace& ws, const AdapterView* adapters) const;
  // Token-classification logits [n_rows, num_labels] for the first n_rows rows of hidden.
  void token_logits(const float* hidden, std::int64_t n_rows, float* logits, EncoderWorkspace& ws,
                    const AdapterView* adapters) const;

 private:
  void embed(const EncoderBatch& batch, EncoderWorkspace& ws) const;
  void attend(const EncoderBatch& batch, EncoderWorkspace& ws) const;

  io::ModelConfig config_;
  ModuleRegistry modules_;
  EncoderWeights w_;
};

// The architecture named by config (BERT, RoBERTa, XLM-R, DistilBERT with any head) on bound weights.
std::unique_ptr<Encoder> make_encoder(const io::ModelConfig& config, WeightBinder& weights);

// Family binders (bert.cpp, distilbert.cpp): weights by Hugging Face name, modules registered.
EncoderWeights bind_bert(const io::ModelConfig& config, WeightBinder& weights, ModuleRegistry& modules);
EncoderWeights bind_distilbert(const io::ModelConfig& config, WeightBinder& weights, ModuleRegistry& modules);

// Helper for the binders: a Linear [out, in] with optional bias, registered under `name`.
Linear bind_linear(WeightBinder& weights, ModuleRegistry& modules, const std::string& name, std::int64_t in,
                   std::int64_t out, int layer, bool bias = true);
Norm bind_layer_norm(WeightBinder& weights, const std::string& name, std::int64_t dim, double eps);
// What a family names a layer's modules: layer i's are "<prefix><layers>i.<q>" and so on.
struct EncoderLayerNames {
  const char *layers, *q, *k, *v, *attn_out, *attn_norm, *ffn_in, *ffn_out, *out_norm;
};
// The config's layers, bound under `prefix` (the encoder's own, e.g. "bert.", or none).
std::vector<EncoderLayer> bind_encoder_layers(const io::ModelConfig& config, WeightBinder& weights,
                                              ModuleRegistry& modules, const std::string& prefix,
                                              const EncoderLayerNames& names);
// The MLM decoder, tied to the word embeddings unless the checkpoint stores its own weight.
Linear bind_tied_decoder(WeightBinder& weights, ModuleRegistry& modules, const std::string& name,
                         const std::string& bias_name, const Embedding& word);

}  // namespace nib::models
