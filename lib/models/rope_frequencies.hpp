#pragma once
// RoPE inverse frequencies as Hugging Face computes them for each rope_scaling type.
#include <cstdint>
#include <span>

#include "io/model_config.hpp"

namespace nib::models {

// Writes head_dim/2 inverse frequencies for a sequence of `seq_len` tokens (only "dynamic" NTK
// scaling depends on it: it raises the base once the sequence outgrows max_position_embeddings).
void rope_inv_freq(const io::ModelConfig& config, std::int64_t seq_len, std::span<float> out);

// True when rope_inv_freq depends on seq_len.
bool rope_depends_on_length(const io::ModelConfig& config);

}  // namespace nib::models
