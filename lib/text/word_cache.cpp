#include "text/word_cache.hpp"

namespace nib::text {

bool WordCache::find(std::string_view word, std::vector<Token>& out) const {
  if (word.size() >= kMaxWordBytes) return false;
  Shard& s = shard(word);
  std::lock_guard lock(s.mutex);
  auto it = s.words.find(word);
  if (it == s.words.end()) return false;
  out.insert(out.end(), it->second.begin(), it->second.end());
  return true;
}

void WordCache::insert(std::string_view word, std::span<const Token> tokens) const {
  if (word.size() >= kMaxWordBytes) return;
  Shard& s = shard(word);
  std::lock_guard lock(s.mutex);
  if (s.words.size() >= kCapacity / kShards) return;
  s.words.try_emplace(std::string(word), tokens.begin(), tokens.end());
}

}  // namespace nib::text
