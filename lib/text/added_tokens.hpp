#pragma once
// Added tokens (special or not): matched in the text before the model runs, with Hugging Face's
// lstrip / rstrip / single_word / normalized rules.
#include <nib/tokenizer.hpp>

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "text/components.hpp"
#include "text/vocab.hpp"

namespace nib::text {

struct AddedToken {
  std::string content;
  TokenId id = 0;
  bool special = false, lstrip = false, rstrip = false, single_word = false, normalized = true;
};

// A piece of text between matches, or a match (`id` set) with the whitespace it strips.
struct TextPiece {
  std::size_t begin, end;
  std::optional<TokenId> id;
};

class AddedVocabulary {
 public:
  // `normalizer` is applied to the content of normalized tokens to build their pattern; `where`
  // names the token in errors.
  void add(const AddedToken& token, const Normalizer* normalizer, const std::string& where);

  // Leftmost-longest matches of the raw (normalized=false) or normalized token set.
  void split(std::string_view text, bool normalized_set, std::vector<TextPiece>& out) const;
  bool has(bool normalized_set) const { return !sets_[normalized_set].patterns.empty(); }

  std::optional<TokenId> find(std::string_view content) const { return by_content_.find(content); }
  const AddedToken* get(TokenId id) const {
    auto it = by_id_.find(id);
    return it == by_id_.end() ? nullptr : &tokens_[it->second];
  }
  const std::vector<AddedToken>& tokens() const { return tokens_; }

 private:
  struct Set {
    std::vector<std::pair<std::string, std::size_t>> patterns;  // (pattern, index into tokens_)
    std::array<std::vector<std::size_t>, 256> by_first_byte;    // pattern indices, longest first
  };
  std::vector<AddedToken> tokens_;
  std::unordered_map<TokenId, std::size_t> by_id_;
  Vocab by_content_;
  std::array<Set, 2> sets_;
};

}  // namespace nib::text
