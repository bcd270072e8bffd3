#pragma once
// Task heads on top of encoder hidden states. The three families use the same shapes under
// different names, so one description covers them:
//   sequence classification  first token → [dense → tanh|relu] → out
//     (BERT pooler + classifier, RoBERTa classifier.dense + out_proj, DistilBERT pre_classifier)
//   masked LM                dense → activation → LayerNorm → decoder (tied to word embeddings) + bias
//   token classification     every token → out
#include <cstdint>
#include <optional>
#include <vector>

#include "io/model_config.hpp"
#include "models/blocks.hpp"

namespace nib::models {

enum class PoolActivation { Tanh, Relu };

struct SequenceHead {
  std::optional<Linear> dense;  // absent: the classifier reads the first token directly
  PoolActivation activation = PoolActivation::Tanh;
  Linear out;
};

struct MlmHead {
  Linear dense;
  io::Activation activation = io::Activation::GeluErf;
  Norm norm;
  Linear decoder;
};

struct TokenHead {
  Linear out;
};

struct EncoderHeads {
  std::optional<SequenceHead> sequence;
  std::optional<MlmHead> mlm;
  std::optional<TokenHead> token;
};

// The kernel epilogue computing `activation` (to fuse it into the preceding apply_linear).
kernels::Epilogue epilogue(io::Activation activation);

// x [m, hidden] → logits [m, labels]; `scratch` needs m × dense width floats, `lora` m × max rank.
void run_sequence_head(const SequenceHead& head, const float* x, std::int64_t m, float* logits,
                       std::vector<float>& scratch, float* lora, const AdapterView* adapters);
// x [m, hidden] → logits [m, vocab].
void run_mlm_head(const MlmHead& head, const float* x, std::int64_t m, float* logits,
                  std::vector<float>& scratch, float* lora, const AdapterView* adapters);

}  // namespace nib::models
