#pragma once
// A Hugging Face model folder as downloaded from the hub: config.json, generation_config.json,
// tokenizer_config.json and which tokenizer files are present.
#include <filesystem>
#include <string>

#include "io/json.hpp"
#include "io/model_config.hpp"

namespace nib::io {

struct HfFolder {
  std::filesystem::path dir;
  Json config;             // config.json
  Json generation_config;  // null when absent
  Json tokenizer_config;   // null when absent
  ModelConfig model;

  static HfFolder open(const std::filesystem::path& dir);
};

// "tokenizer.json", "sentencepiece" (tokenizer.model), "wordpiece-vocab" (vocab.txt),
// "bpe-vocab" (vocab.json + merges.txt) or "none", in the order Hugging Face prefers them.
std::string detect_tokenizer_kind(const std::filesystem::path& dir);

// Reads an optional JSON file: null when the file does not exist, errors when it is malformed.
Json read_optional_json(const std::filesystem::path& path);

}  // namespace nib::io
