#include "kernels/onednn_matmul.hpp"

#include <omp.h>

#include <memory>
#include <mutex>
#include <nib/error.hpp>
#include <oneapi/dnnl/dnnl.hpp>
#include <shared_mutex>
#include <string>
#include <unordered_map>

namespace nib::kernels::onednn {

namespace {

using dnnl::memory;
using dims = memory::dims;
using dt = memory::data_type;

struct Key {
  std::int64_t k, n;
  Layout layout;
  bool bias, accumulate;
  int threads;  // oneDNN may size its work partition when the primitive is created
  bool operator==(const Key&) const = default;
};

struct KeyHash {
  std::size_t operator()(const Key& key) const {
    std::size_t h = std::hash<std::int64_t>()(key.k);
    auto mix = [&h](std::size_t v) { h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2); };
    mix(std::hash<std::int64_t>()(key.n));
    mix(static_cast<std::size_t>(key.layout) | (key.bias << 1) | (key.accumulate << 2) |
        (static_cast<std::size_t>(key.threads) << 3));
    return h;
  }
};

dnnl::engine& engine() {
  static dnnl::engine e(dnnl::engine::kind::cpu, 0);
  return e;
}

// Streams are cheap but not meant to be shared between threads.
dnnl::stream& stream() {
  thread_local dnnl::stream s(engine());
  return s;
}

memory::desc weight_desc(const Key& key) {
  // oneDNN's weights are [K, N]; nn.Linear's [N, K] rows are its columns.
  return key.layout == Layout::OutIn ? memory::desc({key.k, key.n}, dt::f32, dims{1, key.k})
                                     : memory::desc({key.k, key.n}, dt::f32, dims{key.n, 1});
}

dnnl::matmul create(const Key& key) {
  const memory::desc src({DNNL_RUNTIME_DIM_VAL, key.k}, dt::f32, dims{DNNL_RUNTIME_DIM_VAL, 1});
  const memory::desc dst({DNNL_RUNTIME_DIM_VAL, key.n}, dt::f32, dims{DNNL_RUNTIME_DIM_VAL, 1});
  const memory::desc bias = key.bias ? memory::desc({1, key.n}, dt::f32, dims{key.n, 1}) : memory::desc();
  dnnl::primitive_attr attr;
  if (key.accumulate) {
    dnnl::post_ops ops;
    ops.append_sum(1.f);
    attr.set_post_ops(ops);
  }
  try {
    const dnnl::matmul::desc desc(src, weight_desc(key), bias, dst);
    return dnnl::matmul(dnnl::matmul::primitive_desc(desc, attr, engine()));
  } catch (const dnnl::error& e) {
    throw Error(Status::Internal,
                "oneDNN matmul K=" + std::to_string(key.k) + " N=" + std::to_string(key.n) + ": " + e.what());
  }
}

class Cache {
 public:
  std::shared_ptr<const dnnl::matmul> get(const Key& key) {
    {
      std::shared_lock lock(mutex_);
      if (auto it = map_.find(key); it != map_.end()) return it->second;
    }
    auto prim = std::make_shared<const dnnl::matmul>(create(key));  // outside the lock: slow
    std::unique_lock lock(mutex_);
    return map_.try_emplace(key, std::move(prim)).first->second;
  }
  std::size_t size() {
    std::shared_lock lock(mutex_);
    return map_.size();
  }

 private:
  std::shared_mutex mutex_;
  std::unordered_map<Key, std::shared_ptr<const dnnl::matmul>, KeyHash> map_;
};

Cache& cache() {
  static Cache c;
  return c;
}

}  // namespace

void matmul(const float* x, std::int64_t m, const Weight& w, const float* bias, float* y, bool accumulate,
            std::int64_t ldx, std::int64_t ldy) {
  const Key key{w.k, w.n, w.layout, bias != nullptr, accumulate, omp_get_max_threads()};
  const auto prim = cache().get(key);
  auto& eng = engine();
  // oneDNN takes non-const handles but only reads src, weights and bias.
  memory src({{m, w.k}, dt::f32, dims{ldx, 1}}, eng, const_cast<float*>(x));
  memory wei(weight_desc(key), eng, const_cast<float*>(w.f32()));
  memory dst({{m, w.n}, dt::f32, dims{ldy, 1}}, eng, y);
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, wei}, {DNNL_ARG_DST, dst}};
  if (bias)
    args.emplace(DNNL_ARG_BIAS, memory({{1, w.n}, dt::f32, dims{w.n, 1}}, eng, const_cast<float*>(bias)));
  prim->execute(stream(), args);
  stream().wait();
}

void sgemm(const float* a, std::int64_t lda, const float* b, std::int64_t ldb, bool b_transposed, float* c,
           std::int64_t ldc, std::int64_t m, std::int64_t n, std::int64_t k, float alpha, float beta) {
  const dnnl_status_t st =
      dnnl_sgemm('N', b_transposed ? 'T' : 'N', m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  if (st != dnnl_success)
    throw Error(Status::Internal, "dnnl_sgemm failed with status " + std::to_string(st));
}

std::size_t cached_primitives() {
  return cache().size();
}

}  // namespace nib::kernels::onednn
