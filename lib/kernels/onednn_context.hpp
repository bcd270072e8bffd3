#pragma once
// What every oneDNN call in kernels/ shares: the CPU engine, a stream per thread, and a
// process-wide cache of primitives keyed by shape (created outside the lock: JIT is slow; the
// first one stored wins, so concurrent first uses agree).
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <oneapi/dnnl/dnnl.hpp>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "kernels/kernels.hpp"

namespace nib::kernels::onednn {

dnnl::engine& engine();
// Streams are cheap but not meant to be shared between threads.
dnnl::stream& stream();

// A cached matmul primitive and the scratchpad bytes one execution needs. Primitives are created
// with the user scratchpad mode, so one primitive can run on several threads at once (each brings
// its own scratchpad, see execute); with oneDNN's library-managed scratchpad, concurrent executions
// of a shared primitive can overwrite each other's buffers.
struct CachedMatmul {
  explicit CachedMatmul(dnnl::matmul p);
  dnnl::matmul prim;
  std::size_t scratchpad_bytes = 0;
};

// Runs a cached primitive on the calling thread's stream with a thread-local scratchpad, and waits.
void execute(const CachedMatmul& m, std::unordered_map<int, dnnl::memory> args);

template <class Key, class Hash>
class PrimitiveCache {
 public:
  template <class Create>
  std::shared_ptr<const CachedMatmul> get(const Key& key, Create&& create) {
    {
      std::shared_lock lock(mutex_);
      if (auto it = map_.find(key); it != map_.end()) return it->second;
    }
    auto prim = std::make_shared<const CachedMatmul>(create(key));
    std::unique_lock lock(mutex_);
    return map_.try_emplace(key, std::move(prim)).first->second;
  }
  std::size_t size() {
    std::shared_lock lock(mutex_);
    return map_.size();
  }

 private:
  std::shared_mutex mutex_;
  std::unordered_map<Key, std::shared_ptr<const CachedMatmul>, Hash> map_;
};

// Fixed-M primitives over weights prepacked in oneDNN's preferred layout (the int8 copy, the f32
// encoder copy): oneDNN's brgemm kernels need M fixed when the primitive is created (with a runtime
// M oneDNN falls back to its plain GEMM), so each call is split into chunks of at most kChunkRows
// rows (bounding scratch and the number of primitives per shape), and M is rounded to a multiple of
// 16 (128 above 256 rows).
constexpr std::int64_t kChunkRows = 1024;
inline std::int64_t row_granule(std::int64_t rows) {
  return rows <= 256 ? 16 : 128;
}
inline std::int64_t padded_rows(std::int64_t rows) {
  const std::int64_t g = row_granule(rows);
  return (rows + g - 1) / g * g;
}

// The matmul's epilogue as oneDNN post-ops: y += (accumulate: a sum post-op), then `then`; the
// attributes also select the user scratchpad mode that CachedMatmul relies on.
dnnl::primitive_attr post_ops(bool accumulate, Epilogue then);

// A copy of the plain weights `plain` (at src) in the layout `packed` (owning its buffer).
dnnl::memory prepack(const dnnl::memory::desc& plain, const void* src, const dnnl::memory::desc& packed);

// The start of an error message about the oneDNN `kind` matmul of this shape.
inline std::string matmul_shape(const char* kind, std::int64_t k, std::int64_t n) {
  return std::string("oneDNN ") + kind + " matmul K=" + std::to_string(k) + " N=" + std::to_string(n) + ": ";
}

// A cache key's hash from its shape fields (integers, bools, enums; the weights' memory::desc, compared
// by ==, is left out): boost-style combination of each field's std::hash.
template <class... Fields>
std::size_t hash_fields(const Fields&... fields) {
  std::size_t h = 0;
  ((h ^= std::hash<Fields>()(fields) + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2)), ...);
  return h;
}

}  // namespace nib::kernels::onednn
