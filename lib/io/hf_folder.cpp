#include "io/hf_folder.hpp"

#include <nib/error.hpp>

namespace nib::io {

namespace fs = std::filesystem;

Json read_optional_json(const fs::path& path) {
  if (!fs::exists(path)) return Json();
  return read_json_file(path);
}

std::string detect_tokenizer_kind(const fs::path& dir) {
  if (fs::exists(dir / "tokenizer.json")) return "tokenizer.json";
  if (fs::exists(dir / "tokenizer.model")) return "sentencepiece";
  if (fs::exists(dir / "vocab.txt")) return "wordpiece-vocab";
  if (fs::exists(dir / "vocab.json") && fs::exists(dir / "merges.txt")) return "bpe-vocab";
  return "none";
}

HfFolder HfFolder::open(const fs::path& dir) {
  if (!fs::is_directory(dir)) throw Error(Status::Io, dir.string() + ": not a directory");
  const auto config_path = dir / "config.json";
  if (!fs::exists(config_path)) {
    throw Error(Status::Io, dir.string() + ": no config.json (not a Hugging Face model folder)");
  }
  HfFolder f;
  f.dir = dir;
  f.config = read_json_file(config_path, 16u << 20);
  f.generation_config = read_optional_json(dir / "generation_config.json");
  f.tokenizer_config = read_optional_json(dir / "tokenizer_config.json");
  f.model = parse_model_config(f.config, config_path.string(),
                               f.generation_config.is_null() ? nullptr : &f.generation_config);
  return f;
}

}  // namespace nib::io
