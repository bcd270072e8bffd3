#pragma once
// What every oneDNN call in kernels/ shares: the CPU engine, a stream per thread, and a
// process-wide cache of primitives keyed by shape (created outside the lock: JIT is slow; the
// first one stored wins, so concurrent first uses agree).
#include <memory>
#include <mutex>
#include <oneapi/dnnl/dnnl.hpp>
#include <shared_mutex>
#include <unordered_map>

namespace nib::kernels::onednn {

dnnl::engine& engine();
// Streams are cheap but not meant to be shared between threads.
dnnl::stream& stream();

template <class Key, class Hash>
class PrimitiveCache {
 public:
  template <class Create>
  std::shared_ptr<const dnnl::matmul> get(const Key& key, Create&& create) {
    {
      std::shared_lock lock(mutex_);
      if (auto it = map_.find(key); it != map_.end()) return it->second;
    }
    auto prim = std::make_shared<const dnnl::matmul>(create(key));
    std::unique_lock lock(mutex_);
    return map_.try_emplace(key, std::move(prim)).first->second;
  }
  std::size_t size() {
    std::shared_lock lock(mutex_);
    return map_.size();
  }

 private:
  std::shared_mutex mutex_;
  std::unordered_map<Key, std::shared_ptr<const dnnl::matmul>, Hash> map_;
};

// Boost-style hash combination for the cache keys.
inline void hash_mix(std::size_t& h, std::size_t v) {
  h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
}

}  // namespace nib::kernels::onednn
