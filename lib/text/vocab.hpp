#pragma once
// Token string <-> id table shared by the models, with string_view lookups (no allocation).
#include <nib/tokenizer.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "io/json.hpp"
#include "text/flat_map.hpp"

namespace nib::text {

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

class Vocab {
 public:
  // The largest id a special or added token may name (as config.json's vocab_size cap).
  static constexpr TokenId kMaxTokenId = (1 << 24) - 1;

  // Adds or overwrites `token` at `id`; `where` names the source for errors.
  void set(std::string token, TokenId id, const std::string& where);
  std::optional<TokenId> find(std::string_view token) const {
    if (token.size() <= kShortBytes) {
      auto id = short_.find(short_key(token));
      if (!id) return std::nullopt;
      return static_cast<TokenId>(*id);
    }
    auto it = ids_.find(token);
    if (it == ids_.end()) return std::nullopt;
    return it->second;
  }
  const std::string* token(TokenId id) const {
    if (id < 0 || static_cast<std::size_t>(id) >= tokens_.size() || !present_[static_cast<std::size_t>(id)])
      return nullptr;
    return &tokens_[static_cast<std::size_t>(id)];
  }
  std::size_t size() const { return ids_.size(); }
  // Announces n entries: ids up to n + kMaxIdGap are then accepted.
  void reserve(std::size_t n) {
    ids_.reserve(n);
    expected_ = n;
  }
  // id -> token storage is dense, so an id far beyond the number of entries (a 20-byte file
  // claiming id 200000000) would cost gigabytes: ids may exceed the entry count by this much
  // (real vocabularies are dense; added tokens follow the model's vocabulary).
  static constexpr std::size_t kMaxIdGap = 1u << 20;

 private:
  // Tokens of at most 7 bytes (characters, most merges) are looked up by their bytes packed in an
  // integer, without hashing a string; `ids_` holds every token all the same.
  static constexpr std::size_t kShortBytes = 7;
  static std::uint64_t short_key(std::string_view token) {
    std::uint64_t key = static_cast<std::uint64_t>(token.size()) << 56;
    for (std::size_t i = 0; i < token.size(); ++i)
      key |= static_cast<std::uint64_t>(static_cast<unsigned char>(token[i])) << (8 * i);
    return key;
  }

  std::unordered_map<std::string, TokenId, StringHash, std::equal_to<>> ids_;
  FlatMap64 short_;
  std::vector<std::string> tokens_;
  std::vector<bool> present_;
  std::size_t expected_ = 0;
};

// Reads a tokenizer.json "vocab" object ({"token": id, ...}).
Vocab vocab_from_json(const io::Json& j, const std::string& where);

// Byte-fallback tokens: SentencePiece and BPE's byte_fallback spell byte 0xE4 as the token "<0xE4>".
std::string byte_fallback_token(unsigned char b);
// The byte a byte-fallback token spells (either hex case), or -1 for any other token.
int byte_fallback_value(std::string_view token);
// The ids of the byte-fallback tokens of the bytes of `text`, in order; false when the vocabulary
// lacks one of them (ids then holds those found before it).
bool byte_fallback_ids(const Vocab& vocab, std::string_view text, std::vector<TokenId>& ids);

}  // namespace nib::text
