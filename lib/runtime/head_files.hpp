#pragma once
// A task head's folder: head_config.json (labels, output, pooling, normalisation, feature width,
// hidden layer, base model identity) and head.safetensors (F32: classifier.weight
// [labels, inputs], classifier.bias [labels], and for a hidden layer hidden.weight
// [hidden_units, feature_dim], hidden.bias [hidden_units]).
#include <filesystem>

#include "runtime/head_impl.hpp"

namespace nib::detail {

inline constexpr const char* kHeadConfigFile = "head_config.json";
inline constexpr const char* kHeadWeightsFile = "head.safetensors";

void save_head(const HeadImpl& head, const std::filesystem::path& dir);
// Every value is checked: Io for missing files, Format naming the file and key or tensor for
// malformed ones, Unsupported for another format version. The base is not checked here.
HeadImpl load_head(const std::filesystem::path& dir);

const char* pooling_name(Pooling p);

}  // namespace nib::detail
