#pragma once
// Pooled embeddings a Model has computed for head training, by (pooling, normalize, text), so
// training again on the same texts (other options, more examples, cross-validation) runs no
// forward pass for them. Thread-safe; owned by the ModelImpl, bounded in memory.
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nib/session.hpp>

namespace nib::detail {

class FeatureCache {
 public:
  static constexpr std::size_t kMaxBytes = std::size_t{256} << 20;

  std::optional<std::vector<float>> find(Pooling pooling, bool normalize, std::string_view text) const;
  // Drops everything first when the entry would exceed kMaxBytes (a simple bound: the cache
  // exists to spare repeated training on one data set, not to grow without limit).
  void insert(Pooling pooling, bool normalize, std::string_view text, const std::vector<float>& features);

 private:
  static std::string key(Pooling pooling, bool normalize, std::string_view text);
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::vector<float>> entries_;
  std::size_t bytes_ = 0;
};

}  // namespace nib::detail
