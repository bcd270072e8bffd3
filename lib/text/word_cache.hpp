#pragma once
// Memoised model output per pre-tokenized word. Hugging Face's BPE and Unigram models keep the
// same kind of cache (words under 256 bytes, 10,000 entries, no eviction once full); text repeats
// words, so most words skip the model. A Tokenizer is shared across threads, so the cache is
// sharded, each shard behind its own mutex.
#include <array>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "text/components.hpp"
#include "text/vocab.hpp"

namespace nib::text {

class WordCache {
 public:
  static constexpr std::size_t kMaxWordBytes = 256;
  static constexpr std::size_t kCapacity = 10000;

  // Appends the cached tokens of `word` to `out`; false when `word` is not cached.
  bool find(std::string_view word, std::vector<Token>& out) const;
  // Remembers `tokens` as the model output for `word` (no-op when too long or full).
  void insert(std::string_view word, std::span<const Token> tokens) const;

 private:
  static constexpr std::size_t kShards = 8;
  struct Shard {
    std::mutex mutex;
    std::unordered_map<std::string, std::vector<Token>, StringHash, std::equal_to<>> words;
  };
  Shard& shard(std::string_view word) const { return shards_[StringHash{}(word) % kShards]; }

  mutable std::array<Shard, kShards> shards_;
};

}  // namespace nib::text
