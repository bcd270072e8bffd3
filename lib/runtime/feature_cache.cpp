#include "runtime/feature_cache.hpp"

namespace nib::detail {

std::string FeatureCache::key(Pooling pooling, bool normalize, std::string_view text) {
  std::string k;
  k.reserve(text.size() + 2);
  k += static_cast<char>('0' + static_cast<int>(pooling));
  k += normalize ? 'n' : '-';
  k += text;
  return k;
}

std::optional<std::vector<float>> FeatureCache::find(Pooling pooling, bool normalize,
                                                     std::string_view text) const {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key(pooling, normalize, text));
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

void FeatureCache::insert(Pooling pooling, bool normalize, std::string_view text,
                          const std::vector<float>& features) {
  auto k = key(pooling, normalize, text);
  const std::size_t size = k.size() + features.size() * sizeof(float);
  if (size > kMaxBytes) return;
  std::lock_guard lock(mutex_);
  if (bytes_ + size > kMaxBytes) {
    entries_.clear();
    bytes_ = 0;
  }
  if (entries_.emplace(std::move(k), features).second) bytes_ += size;
}

}  // namespace nib::detail
