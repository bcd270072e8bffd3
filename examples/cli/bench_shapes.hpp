#pragma once
// The projection shapes of one transformer layer of a model, from its public ModelInfo: what
// `nib bench` counts FLOPs over and asks oneDNN's peak for.
#include <nib/model.hpp>

#include <vector>

#include "gemm_peak.hpp"

namespace nib::cli {

// Per layer, as the checkpoint defines them: Llama-family q, k, v, o, gate, up, down; GPT-2's fused
// c_attn, c_proj, c_fc, mlp c_proj; encoders' q, k, v, attention output, FFN in and out.
std::vector<probe::GemmShape> layer_projection_shapes(const ModelInfo& info);

// Multiply-adds per token of one layer's projections.
double layer_projection_macs(const ModelInfo& info);

}  // namespace nib::cli
