// Folders without tokenizer.json: vocab.txt (BERT family) and vocab.json + merges.txt (GPT-2 /
// RoBERTa). Each is translated into the tokenizer.json that Hugging Face's converters produce for
// it, then runs through the same pipeline, with the slow tokenizer's token strings.
#include <charconv>
#include <fstream>

#include <nib/error.hpp>

#include "text/tokenizer_impl.hpp"
#include "text/unicode.hpp"

namespace nib::detail {
namespace {

using io::Json;

// Caps for line-based files (vocab.txt, merges.txt): the largest real ones are a few MB.
constexpr std::uintmax_t kMaxLineFileBytes = 256u << 20;
constexpr std::size_t kMaxLines = 1u << 24;  // as config.json's vocab_size cap

// The file's lines (without "\r\n"); each must be valid UTF-8 (tokens are text).
std::vector<std::string> read_lines(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(Status::Io, "cannot open " + path.string());
  std::error_code ec;
  if (auto size = std::filesystem::file_size(path, ec); !ec && size > kMaxLineFileBytes) {
    throw Error(Status::Format, path.string() + ": file of " + std::to_string(size) +
                                    " bytes exceeds the limit of " + std::to_string(kMaxLineFileBytes));
  }
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (auto bad = text::find_invalid_utf8(line); bad != std::string::npos) {
      throw Error(Status::Format, path.string() + ": line " + std::to_string(lines.size() + 1) +
                                      " is not valid UTF-8 (byte " + std::to_string(bad) + ")");
    }
    if (lines.size() == kMaxLines) {
      throw Error(Status::Format, path.string() + ": more than " + std::to_string(kMaxLines) + " lines");
    }
    lines.push_back(std::move(line));
  }
  return lines;
}

std::string config_string(const Json& config, const char* key, const std::string& fallback) {
  auto it = config.find(key);
  if (it == config.end()) return fallback;
  if (it->is_string()) return it->get<std::string>();
  if (it->is_object() && it->contains("content") && (*it)["content"].is_string())
    return (*it)["content"].get<std::string>();
  return fallback;
}

bool config_bool(const Json& config, const char* key, bool fallback) {
  auto it = config.find(key);
  return it != config.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

// tokenizer_config.json's added_tokens_decoder ({"id": {"content", "lstrip", ...}}) plus the named
// special tokens that exist in `vocab`.
Json added_tokens(const Json& config, const Json& vocab, std::initializer_list<const char*> special_keys) {
  Json list = Json::array();
  std::vector<std::string> seen;
  if (auto it = config.find("added_tokens_decoder"); it != config.end() && it->is_object()) {
    for (auto e = it->begin(); e != it->end(); ++e) {
      if (!e->is_object() || !e->contains("content")) continue;
      TokenId id = -1;
      auto [end, ec] = std::from_chars(e.key().data(), e.key().data() + e.key().size(), id);
      if (ec != std::errc() || end != e.key().data() + e.key().size() || id < 0) {
        throw Error(Status::Format,
                    "tokenizer_config.json: added_tokens_decoder key \"" + e.key() + "\" is not a token id");
      }
      if (!(*e)["content"].is_string()) {
        throw Error(Status::Format, "tokenizer_config.json: added_tokens_decoder[\"" + e.key() +
                                        "\"].content is not a string");
      }
      Json t = *e;
      t["id"] = id;
      list.push_back(t);
      seen.push_back((*e)["content"].get<std::string>());
    }
  }
  for (const char* key : special_keys) {
    std::string name = config_string(config, key, "");
    if (name.empty() || std::find(seen.begin(), seen.end(), name) != seen.end() || !vocab.contains(name))
      continue;
    list.push_back({{"id", vocab[name]}, {"content", name}, {"special", true}, {"normalized", false}});
    seen.push_back(name);
  }
  return list;
}

Json special_pair(const std::string& token, const Json& vocab, const std::string& file) {
  if (!vocab.contains(token))
    throw Error(Status::Format, file + ": special token \"" + token + "\" is not in the vocabulary");
  return Json::array({token, vocab[token]});
}

}  // namespace

std::shared_ptr<TokenizerImpl> load_wordpiece_vocab(const std::filesystem::path& vocab_txt,
                                                    const Json& config) {
  Json vocab = Json::object();
  auto lines = read_lines(vocab_txt);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (!vocab.contains(lines[i])) vocab[lines[i]] = i;
  }
  bool lower = config_bool(config, "do_lower_case", true);
  Json strip = config.contains("strip_accents") ? config["strip_accents"] : Json(nullptr);
  std::string unk = config_string(config, "unk_token", "[UNK]");
  std::string file = vocab_txt.string();
  Json j = {
      {"added_tokens",
       added_tokens(config, vocab, {"unk_token", "sep_token", "pad_token", "cls_token", "mask_token"})},
      {"normalizer",
       {{"type", "BertNormalizer"},
        {"clean_text", true},
        {"handle_chinese_chars", config_bool(config, "tokenize_chinese_chars", true)},
        {"strip_accents", strip.is_boolean() ? strip : Json(nullptr)},
        {"lowercase", lower}}},
      {"pre_tokenizer", {{"type", "BertPreTokenizer"}}},
      {"model",
       {{"type", "WordPiece"},
        {"unk_token", unk},
        {"continuing_subword_prefix", "##"},
        {"max_input_chars_per_word", 100},
        {"vocab", vocab}}},
      {"post_processor",
       {{"type", "BertProcessing"},
        {"sep", special_pair(config_string(config, "sep_token", "[SEP]"), vocab, file)},
        {"cls", special_pair(config_string(config, "cls_token", "[CLS]"), vocab, file)}}},
      {"decoder", {{"type", "WordPiece"}, {"prefix", "##"}, {"cleanup", true}}},
  };
  auto impl = load_tokenizer_json(j, file, config, /*slow_token_strings=*/true);
  impl->kind = "wordpiece-vocab";
  return impl;
}

std::shared_ptr<TokenizerImpl> load_bpe_vocab(const std::filesystem::path& vocab_json,
                                              const std::filesystem::path& merges_txt, const Json& config) {
  Json vocab = io::read_json_file(vocab_json);
  if (!vocab.is_object())
    throw Error(Status::Format, vocab_json.string() + ": expected an object of token ids");
  Json merges = Json::array();
  for (auto& line : read_lines(merges_txt)) {
    if (line.empty() || line.rfind("#version", 0) == 0) continue;
    merges.push_back(line);
  }
  std::string cls = config_string(config, "tokenizer_class", "");
  bool roberta = cls.find("Roberta") != std::string::npos || cls.find("Bart") != std::string::npos;
  Json post = {{"type", "ByteLevel"}};
  if (roberta) {
    std::string file = vocab_json.string();
    post = {{"type", "RobertaProcessing"},
            {"sep", special_pair(config_string(config, "sep_token", "</s>"), vocab, file)},
            {"cls", special_pair(config_string(config, "cls_token", "<s>"), vocab, file)}};
  }
  Json j = {
      {"added_tokens", added_tokens(config, vocab,
                                    {"bos_token", "eos_token", "unk_token", "sep_token", "pad_token",
                                     "cls_token", "mask_token"})},
      {"pre_tokenizer",
       {{"type", "ByteLevel"}, {"add_prefix_space", config_bool(config, "add_prefix_space", false)}}},
      {"model", {{"type", "BPE"}, {"vocab", vocab}, {"merges", merges}}},
      {"post_processor", post},
      {"decoder", {{"type", "ByteLevel"}}},
  };
  auto impl = load_tokenizer_json(j, merges_txt.string(), config, /*slow_token_strings=*/true);
  impl->kind = "bpe-vocab";
  return impl;
}

}  // namespace nib::detail
