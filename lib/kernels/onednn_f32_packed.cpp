#include "kernels/onednn_f32_packed.hpp"

#include <omp.h>

#include <algorithm>
#include <cstring>
#include <nib/error.hpp>
#include <optional>
#include <string>
#include <vector>

#include "kernels/onednn_context.hpp"

namespace nib::kernels {

struct F32Gemm {
  std::int64_t n = 0, k = 0;
  dnnl::memory::desc packed;
  dnnl::memory weights;  // owns its (aligned) buffer
};

namespace onednn {

namespace {

using dnnl::memory;
using dims = memory::dims;
using dt = memory::data_type;

// Strides are fixed in the primitive too: callers use a few (the tail goes through contiguous scratch).
// The packed weights' layout is part of the key, as for int8 (not hashed: equal shapes share it).
struct PackedKey {
  std::int64_t k, n, rows, ldx, ldy;
  bool bias, accumulate;
  Epilogue then;
  int threads;
  memory::desc weights;
  bool operator==(const PackedKey&) const = default;
};

struct PackedKeyHash {
  std::size_t operator()(const PackedKey& key) const {
    return hash_fields(key.k, key.n, key.rows, key.ldx, key.ldy, key.bias, key.accumulate, key.then,
                       key.threads);
  }
};

dnnl::matmul::primitive_desc describe(const PackedKey& key, const memory::desc& wei) {
  const memory::desc src({key.rows, key.k}, dt::f32, dims{key.ldx, 1});
  const memory::desc dst({key.rows, key.n}, dt::f32, dims{key.ldy, 1});
  const memory::desc bias = key.bias ? memory::desc({1, key.n}, dt::f32, dims{key.n, 1}) : memory::desc();
  return dnnl::matmul::primitive_desc(dnnl::matmul::desc(src, wei, bias, dst),
                                      post_ops(key.accumulate, key.then), engine());
}

PrimitiveCache<PackedKey, PackedKeyHash>& packed_cache() {
  static PrimitiveCache<PackedKey, PackedKeyHash> c;
  return c;
}

// One oneDNN call on `rows` rows (a multiple of 16) read and written in place.
void run(const float* x, std::int64_t rows, const F32Gemm& g, const float* bias, float* y, bool accumulate,
         std::int64_t ldx, std::int64_t ldy, Epilogue then) {
  const PackedKey key{g.k,     g.n, rows, ldx, ldy, bias != nullptr, accumulate, then, omp_get_max_threads(),
                      g.packed};
  const auto prim = packed_cache().get(key, [](const PackedKey& kk) {
    try {
      return dnnl::matmul(describe(kk, kk.weights));
    } catch (const dnnl::error& e) {
      throw Error(Status::Internal,
                  matmul_shape("f32", kk.k, kk.n) + "M=" + std::to_string(kk.rows) + ": " + e.what());
    }
  });
  auto& eng = engine();
  // oneDNN takes non-const handles but only reads src and bias.
  memory src({{rows, g.k}, dt::f32, dims{ldx, 1}}, eng, const_cast<float*>(x));
  memory dst({{rows, g.n}, dt::f32, dims{ldy, 1}}, eng, y);
  std::unordered_map<int, memory> args{
      {DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, g.weights}, {DNNL_ARG_DST, dst}};
  if (bias)
    args.emplace(DNNL_ARG_BIAS, memory({{1, g.n}, dt::f32, dims{g.n, 1}}, eng, const_cast<float*>(bias)));
  execute(*prim, std::move(args));
}

// Fewer than 16 rows: through zero-padded contiguous scratch of 16 rows.
void run_padded(const float* x, std::int64_t rows, const F32Gemm& g, const float* bias, float* y,
                bool accumulate, std::int64_t ldx, std::int64_t ldy, Epilogue then) {
  const std::int64_t padded = padded_rows(rows);
  thread_local std::vector<float> xs, ys;
  xs.assign(static_cast<std::size_t>(padded * g.k), 0.f);
  ys.resize(static_cast<std::size_t>(padded * g.n));
  const auto row = [](std::int64_t len) { return sizeof(float) * static_cast<std::size_t>(len); };
  for (std::int64_t r = 0; r < rows; ++r) {
    std::memcpy(xs.data() + r * g.k, x + r * ldx, row(g.k));
    if (accumulate) std::memcpy(ys.data() + r * g.n, y + r * ldy, row(g.n));
  }
  run(xs.data(), padded, g, bias, ys.data(), accumulate, g.k, g.n, then);
  for (std::int64_t r = 0; r < rows; ++r) std::memcpy(y + r * ldy, ys.data() + r * g.n, row(g.n));
}

// oneDNN's preferred weights layout for [k, n] f32 at M = 256, or nothing when it is a plain one
// (the in-place path then reads the same thing).
std::optional<memory::desc> packed_layout(std::int64_t n, std::int64_t k) {
  if (n <= 0 || k <= 0) return std::nullopt;
  try {
    const memory::desc any({k, n}, dt::f32, memory::format_tag::any);
    const PackedKey key{k,  n, padded_rows(256), k, n, true, false, Epilogue::None, omp_get_max_threads(),
                        any};
    const memory::desc packed = describe(key, any).weights_desc();
    if (packed == memory::desc({k, n}, dt::f32, dims{n, 1}) ||
        packed == memory::desc({k, n}, dt::f32, dims{1, k}))
      return std::nullopt;
    return packed;
  } catch (const dnnl::error& e) {
    throw Error(Status::Internal, matmul_shape("f32", k, n) + "prepacking: " + e.what());
  }
}

}  // namespace

std::shared_ptr<const F32Gemm> pack_f32_gemm(const float* src, std::int64_t n, std::int64_t k,
                                             Layout layout) {
  const auto packed = packed_layout(n, k);
  if (!packed) return nullptr;
  auto g = std::make_shared<F32Gemm>();
  g->n = n;
  g->k = k;
  g->packed = *packed;
  // oneDNN's weights are [K, N]; nn.Linear's [N, K] rows are its columns.
  const memory::desc plain = layout == Layout::OutIn ? memory::desc({k, n}, dt::f32, dims{1, k})
                                                     : memory::desc({k, n}, dt::f32, dims{n, 1});
  try {
    g->weights = prepack(plain, src, g->packed);
  } catch (const dnnl::error& e) {
    throw Error(Status::Internal, matmul_shape("f32", k, n) + "prepacking: " + e.what());
  }
  return g;
}

std::int64_t f32_gemm_bytes(std::int64_t n, std::int64_t k) {
  const auto packed = packed_layout(n, k);
  return packed ? static_cast<std::int64_t>(packed->get_size()) : 0;
}

std::int64_t f32_gemm_bytes(const F32Gemm& g) {
  return static_cast<std::int64_t>(g.packed.get_size());
}

void packed_matmul(const float* x, std::int64_t m, const F32Gemm& g, const float* bias, float* y,
                   bool accumulate, std::int64_t ldx, std::int64_t ldy, Epilogue then) {
  // Chunks of kChunkRows, then the rest rounded down to its granule, in place; below 16 rows, padded.
  for (std::int64_t m0 = 0; m0 < m;) {
    const std::int64_t left = std::min(kChunkRows, m - m0);
    const std::int64_t rows = left / row_granule(left) * row_granule(left);
    const float* xi = x + m0 * ldx;
    float* yi = y + m0 * ldy;
    if (rows > 0) {
      run(xi, rows, g, bias, yi, accumulate, ldx, ldy, then);
      m0 += rows;
    } else {
      run_padded(xi, left, g, bias, yi, accumulate, ldx, ldy, then);
      m0 += left;
    }
  }
}

std::size_t cached_packed_primitives() {
  return packed_cache().size();
}

}  // namespace onednn
}  // namespace nib::kernels
