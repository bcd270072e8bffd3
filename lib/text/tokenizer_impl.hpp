#pragma once
// The implementation behind nib::Tokenizer: one of the tokenizer.json pipeline (also used for
// legacy vocab folders) or a sentencepiece model.
#include <nib/tokenizer.hpp>

#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "io/json.hpp"

namespace nib::detail {

class TokenizerImpl {
 public:
  virtual ~TokenizerImpl() = default;
  // `pair` is null for a single sequence.
  virtual Encoding encode(std::string_view text, const std::string_view* pair,
                          bool add_special_tokens) const = 0;
  // `raw`: leave bytes that are not valid UTF-8 as they are (for streaming), else replace them.
  virtual std::string decode(std::span<const TokenId> ids, bool skip_special_tokens, bool raw) const = 0;
  virtual std::size_t vocab_size() const = 0;
  virtual std::optional<TokenId> token_to_id(std::string_view token) const = 0;
  virtual std::optional<std::string> id_to_token(TokenId id) const = 0;
  virtual bool is_special(TokenId id) const = 0;

  SpecialTokens specials;
  std::string kind;
  bool clean_up_tokenization_spaces = false;  // tokenizer_config.json's value (transformers' decode)
};

// Builders, one per folder format.
std::shared_ptr<TokenizerImpl> load_tokenizer_json(const io::Json& tokenizer, const std::string& source,
                                                   const io::Json& config, bool slow_token_strings = false);
std::shared_ptr<TokenizerImpl> load_sentencepiece(const std::filesystem::path& model, const io::Json& config);
std::shared_ptr<TokenizerImpl> load_wordpiece_vocab(const std::filesystem::path& vocab_txt,
                                                    const io::Json& config);
std::shared_ptr<TokenizerImpl> load_bpe_vocab(const std::filesystem::path& vocab_json,
                                              const std::filesystem::path& merges_txt,
                                              const io::Json& config);

// Fills `specials` from tokenizer_config.json / special_tokens_map.json values, falling back to the
// usual names when the tokenizer knows them.
void resolve_special_tokens(TokenizerImpl& impl, const io::Json& config);
// Reads an optional JSON file (null when absent).
io::Json read_optional_json(const std::filesystem::path& path);

}  // namespace nib::detail
