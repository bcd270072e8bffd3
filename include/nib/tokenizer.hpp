#pragma once
// nib::Tokenizer — text to token ids and back, exactly as Hugging Face tokenizers do.
#include <nib/export.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace nib {

using TokenId = std::int32_t;

namespace detail {
class TokenizerImpl;
}

struct Encoding {
  std::vector<TokenId> ids;
  std::vector<std::string> tokens;  // vocabulary strings ("Ġworld", "##ing", "▁Hello", "<0xE6>")
  std::vector<std::int32_t> type_ids;
};

struct SpecialTokens {
  std::optional<TokenId> bos, eos, unk, pad, cls, sep, mask;
};

// Immutable after load; copies share the same data; safe to use from any number of threads.
class NIB_API Tokenizer {
 public:
  // Loads from a folder: tokenizer.json, else tokenizer.model (sentencepiece), else vocab.txt or
  // vocab.json + merges.txt; tokenizer_config.json and special_tokens_map.json are honoured.
  static Tokenizer load(const std::filesystem::path& dir);

  Encoding encode(std::string_view text, bool add_special_tokens = true) const;
  Encoding encode_pair(std::string_view text, std::string_view text_pair,
                       bool add_special_tokens = true) const;
  // The tokenizer's own decoder (Hugging Face tokenizers' decode: no transformers clean-up).
  std::string decode(std::span<const TokenId> ids, bool skip_special_tokens = false) const;
  // As transformers' decode(): with `clean_up_tokenization_spaces` (" ." -> "." ...) when asked.
  std::string decode(std::span<const TokenId> ids, bool skip_special_tokens,
                     bool clean_up_tokenization_spaces) const;
  // tokenizer_config.json's clean_up_tokenization_spaces (false when absent).
  bool clean_up_tokenization_spaces() const;

  // One more than the largest token id (model vocabulary and added tokens).
  std::size_t vocab_size() const;
  std::optional<TokenId> token_to_id(std::string_view token) const;
  std::string id_to_token(TokenId id) const;
  bool is_special(TokenId id) const;
  const SpecialTokens& special_tokens() const;
  // "tokenizer.json", "sentencepiece", "wordpiece-vocab" or "bpe-vocab".
  std::string kind() const;

  // Incremental detokeniser: push ids as they are generated, receive only complete UTF-8.
  class NIB_API StreamDecoder {
   public:
    explicit StreamDecoder(const Tokenizer& tokenizer, bool skip_special_tokens = true);
    std::string push(TokenId id);  // newly completed text ("" while a character is incomplete)
    std::string flush();           // whatever remains (incomplete bytes become U+FFFD)
   private:
    std::shared_ptr<const detail::TokenizerImpl> impl_;
    bool skip_special_;
    std::vector<TokenId> ids_;  // a window: ids_[prefix_, read_) were already emitted as text
    std::size_t prefix_ = 0, read_ = 0;
  };

  explicit Tokenizer(std::shared_ptr<const detail::TokenizerImpl> impl);
  const detail::TokenizerImpl& impl() const { return *impl_; }

 private:
  std::shared_ptr<const detail::TokenizerImpl> impl_;
};

}  // namespace nib
