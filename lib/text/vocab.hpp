#pragma once
// Token string <-> id table shared by the models, with string_view lookups (no allocation).
#include <nib/tokenizer.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "io/json.hpp"

namespace nib::text {

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

class Vocab {
 public:
  // Adds or overwrites `token` at `id`; `where` names the source for errors.
  void set(std::string token, TokenId id, const std::string& where);
  std::optional<TokenId> find(std::string_view token) const {
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
  void reserve(std::size_t n) { ids_.reserve(n); }

 private:
  std::unordered_map<std::string, TokenId, StringHash, std::equal_to<>> ids_;
  std::vector<std::string> tokens_;
  std::vector<bool> present_;
};

// Reads a tokenizer.json "vocab" object ({"token": id, ...}).
Vocab vocab_from_json(const io::Json& j, const std::string& where);

}  // namespace nib::text
