#pragma once
// config.json (+ generation_config.json) parsed into one typed configuration for every supported
// architecture. Key names differ per family (GPT-2's n_embd, DistilBERT's dim, ...); they are mapped
// here so the models read one vocabulary.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nib/model.hpp>

#include "io/json.hpp"

namespace nib::io {

enum class Family { Llama, Gpt2, Bert, DistilBert };  // Llama covers Mistral and Qwen2; Bert covers RoBERTa
enum class Activation { Silu, GeluErf, GeluTanh, Relu };

struct RopeScaling {
  std::string type;  // "linear", "dynamic", "llama3"
  double factor = 1.0;
  double low_freq_factor = 1.0;   // llama3
  double high_freq_factor = 4.0;  // llama3
  std::int64_t original_max_positions = 0;
};

struct ModelConfig {
  std::string architecture;
  std::string model_type;
  Family family = Family::Llama;
  ModelKind kind = ModelKind::CausalLM;
  HeadKind head = HeadKind::None;

  std::int64_t hidden_size = 0;
  std::int64_t num_layers = 0;
  std::int64_t num_heads = 0;
  std::int64_t num_kv_heads = 0;
  std::int64_t head_dim = 0;
  std::int64_t intermediate_size = 0;
  std::int64_t vocab_size = 0;
  std::int64_t max_positions = 0;
  std::int64_t type_vocab_size = 0;  // BERT token types (0: none)

  double norm_eps = 1e-5;
  Activation activation = Activation::Silu;
  double rope_theta = 10000.0;
  std::optional<RopeScaling> rope_scaling;
  bool tie_word_embeddings = false;
  bool attention_bias = false;  // Llama attention_bias; Qwen2 always has q/k/v bias
  bool attention_out_bias = false;
  bool mlp_bias = false;
  std::int64_t sliding_window = 0;  // Mistral (0: none)

  std::vector<std::string> labels;  // id2label in id order
  std::string problem_type;

  std::optional<std::int64_t> pad_token_id;
  std::optional<std::int64_t> bos_token_id;
  std::vector<std::int64_t> eos_token_ids;  // config.json, overridden by generation_config.json
};

// `where` names the file in error messages. generation_config may be null.
ModelConfig parse_model_config(const Json& config, const std::string& where,
                               const Json* generation_config = nullptr);

}  // namespace nib::io
