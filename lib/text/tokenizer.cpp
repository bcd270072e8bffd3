// nib::Tokenizer: folder detection and the public API over detail::TokenizerImpl.
#include <nib/error.hpp>
#include <nib/tokenizer.hpp>

#include "text/components.hpp"
#include "text/tokenizer_impl.hpp"
#include "text/unicode.hpp"

namespace fs = std::filesystem;

namespace nib {
namespace detail {

io::Json read_optional_json(const fs::path& path) {
  if (!fs::exists(path)) return nullptr;
  return io::read_json_file(path);
}

namespace {
// A special-token value of tokenizer_config.json: "text" or {"content": "text", ...}.
std::optional<std::string> token_text(const io::Json& config, const char* key) {
  if (!config.is_object()) return std::nullopt;
  auto it = config.find(key);
  if (it == config.end()) return std::nullopt;
  if (it->is_string()) return it->get<std::string>();
  if (it->is_object()) {
    auto c = it->find("content");
    if (c != it->end() && c->is_string()) return c->get<std::string>();
  }
  return std::nullopt;
}
}  // namespace

void resolve_special_tokens(TokenizerImpl& impl, const io::Json& config) {
  struct Role {
    const char* key;
    std::optional<TokenId> SpecialTokens::*field;
    std::initializer_list<const char*> usual;
  };
  const Role roles[] = {
      {"bos_token", &SpecialTokens::bos, {"<s>", "<|begin_of_text|>", "<|startoftext|>"}},
      {"eos_token", &SpecialTokens::eos, {"</s>", "<|endoftext|>", "<|end_of_text|>", "<|eot_id|>"}},
      {"unk_token", &SpecialTokens::unk, {"<unk>", "[UNK]"}},
      {"pad_token", &SpecialTokens::pad, {"<pad>", "[PAD]"}},
      {"cls_token", &SpecialTokens::cls, {"[CLS]"}},
      {"sep_token", &SpecialTokens::sep, {"[SEP]"}},
      {"mask_token", &SpecialTokens::mask, {"<mask>", "[MASK]"}},
  };
  bool has_config = config.is_object();
  for (const auto& r : roles) {
    if (has_config && config.contains(r.key)) {  // explicit (possibly null) value wins
      if (auto t = token_text(config, r.key)) impl.specials.*r.field = impl.token_to_id(*t);
      continue;
    }
    for (const char* name : r.usual) {
      if (auto id = impl.token_to_id(name)) {
        impl.specials.*r.field = id;
        break;
      }
    }
  }
  if (has_config) {
    auto it = config.find("clean_up_tokenization_spaces");
    if (it != config.end() && it->is_boolean()) impl.clean_up_tokenization_spaces = it->get<bool>();
  }
}

}  // namespace detail

Tokenizer Tokenizer::load(const fs::path& dir) {
  if (!fs::is_directory(dir)) throw Error(Status::Io, "tokenizer: not a directory: " + dir.string());
  io::Json config = detail::read_optional_json(dir / "tokenizer_config.json");
  io::Json special_map = detail::read_optional_json(dir / "special_tokens_map.json");
  if (!config.is_object()) config = io::Json::object();
  if (special_map.is_object()) {  // tokenizer_config.json wins where both define a key
    for (auto it = special_map.begin(); it != special_map.end(); ++it) {
      if (!config.contains(it.key())) config[it.key()] = it.value();
    }
  }
  std::shared_ptr<detail::TokenizerImpl> impl;
  if (fs::exists(dir / "tokenizer.json")) {
    fs::path p = dir / "tokenizer.json";
    impl = detail::load_tokenizer_json(io::read_json_file(p), p.string(), config);
  } else if (fs::exists(dir / "tokenizer.model")) {
    impl = detail::load_sentencepiece(dir / "tokenizer.model", config);
  } else if (fs::exists(dir / "vocab.txt")) {
    impl = detail::load_wordpiece_vocab(dir / "vocab.txt", config);
  } else if (fs::exists(dir / "vocab.json") && fs::exists(dir / "merges.txt")) {
    impl = detail::load_bpe_vocab(dir / "vocab.json", dir / "merges.txt", config);
  } else {
    throw Error(Status::Io,
                "tokenizer: " + dir.string() +
                    " holds no tokenizer.json, tokenizer.model, vocab.txt or vocab.json + merges.txt");
  }
  return Tokenizer(std::move(impl));
}

Tokenizer::Tokenizer(std::shared_ptr<const detail::TokenizerImpl> impl) : impl_(std::move(impl)) {}

Encoding Tokenizer::encode(std::string_view text, bool add_special_tokens) const {
  return impl_->encode(text, nullptr, add_special_tokens);
}

Encoding Tokenizer::encode_pair(std::string_view text, std::string_view text_pair,
                                bool add_special_tokens) const {
  return impl_->encode(text, &text_pair, add_special_tokens);
}

std::string Tokenizer::decode(std::span<const TokenId> ids, bool skip_special_tokens) const {
  return impl_->decode(ids, skip_special_tokens, false);
}

std::string Tokenizer::decode(std::span<const TokenId> ids, bool skip_special_tokens, bool clean_up) const {
  std::string s = impl_->decode(ids, skip_special_tokens, false);
  return clean_up ? text::clean_up_tokenization(std::move(s)) : s;
}

bool Tokenizer::clean_up_tokenization_spaces() const {
  return impl_->clean_up_tokenization_spaces;
}
std::size_t Tokenizer::vocab_size() const {
  return impl_->vocab_size();
}
std::optional<TokenId> Tokenizer::token_to_id(std::string_view token) const {
  return impl_->token_to_id(token);
}

std::string Tokenizer::id_to_token(TokenId id) const {
  auto t = impl_->id_to_token(id);
  if (!t)
    throw Error(Status::InvalidArgument, "tokenizer: token id " + std::to_string(id) + " is out of range");
  return *t;
}

bool Tokenizer::is_special(TokenId id) const {
  return impl_->is_special(id);
}
const SpecialTokens& Tokenizer::special_tokens() const {
  return impl_->specials;
}
std::string Tokenizer::kind() const {
  return impl_->kind;
}

// Hugging Face's DecodeStream: decode a window that starts before the new ids, so decoders that
// treat the first token specially (Metaspace, Strip) see the new ids in context, and emit the
// difference only when it ends with a complete character.
Tokenizer::StreamDecoder::StreamDecoder(const Tokenizer& tokenizer, bool skip_special_tokens)
    : impl_(tokenizer.impl_), skip_special_(skip_special_tokens) {}

std::string Tokenizer::StreamDecoder::push(TokenId id) {
  if (skip_special_ && impl_->is_special(id)) return {};
  ids_.push_back(id);
  std::span<const TokenId> all(ids_);
  std::string before = impl_->decode(all.subspan(prefix_, read_ - prefix_), skip_special_, true);
  std::string now = impl_->decode(all.subspan(prefix_), skip_special_, true);
  if (now.size() <= before.size()) return {};
  std::string_view delta = std::string_view(now).substr(before.size());
  bool incomplete = false;
  std::size_t complete = text::complete_utf8_prefix(delta, incomplete);
  if (incomplete) return {};  // wait for the rest of the character
  (void)complete;
  std::string out = text::utf8_lossy(delta);
  prefix_ = read_;
  read_ = ids_.size();
  if (prefix_ > 0) {  // keep only the window
    ids_.erase(ids_.begin(), ids_.begin() + static_cast<std::ptrdiff_t>(prefix_));
    read_ -= prefix_;
    prefix_ = 0;
  }
  return out;
}

std::string Tokenizer::StreamDecoder::flush() {
  if (read_ >= ids_.size()) return {};
  std::span<const TokenId> all(ids_);
  std::string before = impl_->decode(all.subspan(prefix_, read_ - prefix_), skip_special_, true);
  std::string now = impl_->decode(all.subspan(prefix_), skip_special_, true);
  ids_.clear();
  prefix_ = read_ = 0;
  if (now.size() <= before.size()) return {};
  return text::utf8_lossy(std::string_view(now).substr(before.size()));
}

}  // namespace nib
