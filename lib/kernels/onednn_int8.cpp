#include "kernels/onednn_int8.hpp"

#include <omp.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstring>
#include <nib/error.hpp>
#include <string>
#include <vector>

#include "kernels/int8_quantize.hpp"
#include "kernels/onednn_context.hpp"

namespace nib::kernels {

// Weights quantised per output channel (w ≈ q · scale[j]) in oneDNN's layout for u8 × s8 matmuls.
struct Int8Gemm {
  std::int64_t n = 0, k = 0;
  dnnl::memory::desc packed;
  dnnl::memory weights;               // owns its (aligned) buffer
  std::vector<float> scales;          // [n]
  std::vector<std::int32_t> colsums;  // [n]: Σ_k q[j, k], for the activations' zero points
};

namespace onednn {

namespace {

using dnnl::memory;
using dims = memory::dims;
using dt = memory::data_type;

// The packed weights' layout is part of the key: a primitive only reads weights in the layout it was
// created for (hashed by shape alone; equal shapes nearly always share a layout).
struct Int8Key {
  std::int64_t k, n, rows;
  int threads;
  memory::desc weights;
  bool operator==(const Int8Key&) const = default;
};

struct Int8KeyHash {
  std::size_t operator()(const Int8Key& key) const {
    return hash_fields(key.k, key.n, key.rows, key.threads);
  }
};

dnnl::matmul::primitive_desc describe(std::int64_t rows, std::int64_t k, std::int64_t n,
                                      const memory::desc& wei) {
  const memory::desc src({rows, k}, dt::u8, dims{k, 1});
  const memory::desc dst({rows, n}, dt::s32, dims{n, 1});
  return dnnl::matmul::primitive_desc(dnnl::matmul::desc(src, wei, dst), post_ops(false, Epilogue::None),
                                      engine());
}

PrimitiveCache<Int8Key, Int8KeyHash>& int8_cache() {
  static PrimitiveCache<Int8Key, Int8KeyHash> c;
  return c;
}

// Row r of x to u8 with its own scale and zero point: x ≈ (q − zero) · scale, over [min(x, 0),
// max(x, 0)] so that 0 is exact. NaN becomes the zero point's code.
void quantize_row(const float* x, std::int64_t k, int levels, std::uint8_t* q, float& scale,
                  std::int32_t& zero) {
  float lo = 0.f, hi = 0.f;
#pragma omp simd reduction(min : lo) reduction(max : hi)
  for (std::int64_t i = 0; i < k; ++i) {
    lo = std::min(lo, x[i]);
    hi = std::max(hi, x[i]);
  }
  if (!(hi > lo) || !std::isfinite(hi - lo)) {
    std::memset(q, 0, static_cast<std::size_t>(k));
    scale = 0.f;
    zero = 0;
    return;
  }
  const float inv = static_cast<float>(levels) / (hi - lo);
  scale = (hi - lo) / static_cast<float>(levels);
  zero = static_cast<std::int32_t>(std::nearbyint(-lo * inv));
  const float zf = static_cast<float>(zero), top = static_cast<float>(levels);
#pragma omp simd
  for (std::int64_t i = 0; i < k; ++i) {
    const float t = std::min(std::max(0.f, x[i] * inv + zf), top);  // max(0, NaN) is 0
    q[i] = static_cast<std::uint8_t>(static_cast<int>(t + 0.5f));
  }
}

// y[j] (+)= sa · s[j] · (acc[j] − zero · colsum[j]) + bias[j]
template <bool kBias, bool kAccumulate>
void rescale_row(const std::int32_t* acc, const Int8Gemm& g, float sa, std::int32_t zero, const float* bias,
                 float* y) {
  const float* s = g.scales.data();
  const std::int32_t* cs = g.colsums.data();
#pragma omp simd
  for (std::int64_t j = 0; j < g.n; ++j) {
    float v = sa * s[j] * static_cast<float>(acc[j] - zero * cs[j]);
    if constexpr (kBias) v += bias[j];
    if constexpr (kAccumulate) v += y[j];
    y[j] = v;
  }
}

void rescale(const std::int32_t* acc, std::int64_t rows, const Int8Gemm& g, const float* sa,
             const std::int32_t* zero, const float* bias, float* y, bool accumulate, std::int64_t ldy) {
#pragma omp parallel for schedule(static)
  for (std::int64_t r = 0; r < rows; ++r) {
    const std::int32_t* a = acc + r * g.n;
    float* out = y + r * ldy;
    if (bias)
      accumulate ? rescale_row<true, true>(a, g, sa[r], zero[r], bias, out)
                 : rescale_row<true, false>(a, g, sa[r], zero[r], bias, out);
    else
      accumulate ? rescale_row<false, true>(a, g, sa[r], zero[r], bias, out)
                 : rescale_row<false, false>(a, g, sa[r], zero[r], bias, out);
  }
}

}  // namespace

int activation_levels() {
  static const int levels = [] {
    switch (dnnl::get_effective_cpu_isa()) {
      case dnnl::cpu_isa::avx512_core_vnni:
      case dnnl::cpu_isa::avx512_core_bf16:
      case dnnl::cpu_isa::avx512_core_amx: return 255;
      default: return 127;
    }
  }();
  return levels;
}

namespace {
// Whether pack_int8_gemm makes a copy: |acc − zero · colsum| ≤ 2 · k · 255 · 127 must fit in int32.
// Without VNNI, activations would get 7 bits (see activation_levels), which costs int8 its accuracy
// bounds (top-1 98.6% on the shared causal goldens): those CPUs widen the per-block weights instead.
bool makes_int8_gemm(std::int64_t n, std::int64_t k) {
  return n > 0 && k > 0 && k <= INT32_MAX / (2 * 255 * 127) && activation_levels() >= 255;
}

// The layout oneDNN packs the weights in.
memory::desc int8_packed_desc(std::int64_t n, std::int64_t k) {
  const memory::desc any({k, n}, dt::s8, memory::format_tag::any);
  return describe(padded_rows(std::min<std::int64_t>(256, kChunkRows)), k, n, any).weights_desc();
}

std::int64_t int8_gemm_bytes(const memory::desc& packed, std::int64_t n) {
  return static_cast<std::int64_t>(packed.get_size()) +
         n * static_cast<std::int64_t>(sizeof(float) + sizeof(std::int32_t));
}
}  // namespace

std::int64_t int8_gemm_bytes(std::int64_t n, std::int64_t k) {
  if (!makes_int8_gemm(n, k)) return 0;
  try {
    return int8_gemm_bytes(int8_packed_desc(n, k), n);
  } catch (const dnnl::error& e) {
    throw Error(Status::Internal, matmul_shape("int8", k, n) + "layout: " + e.what());
  }
}

std::shared_ptr<const Int8Gemm> pack_int8_gemm(const float* src, std::int64_t n, std::int64_t k,
                                               Layout layout) {
  if (!makes_int8_gemm(n, k)) return nullptr;
  auto g = std::make_shared<Int8Gemm>();
  g->n = n;
  g->k = k;
  g->scales.resize(static_cast<std::size_t>(n));
  g->colsums.resize(static_cast<std::size_t>(n));
  PackedBuffer<std::int8_t> q(static_cast<std::size_t>(n * k));  // [n, k], written by the loop below
#pragma omp parallel
  {
    PackedBuffer<float> column;  // an InOut output's weights, gathered
#pragma omp for schedule(static)
    for (std::int64_t r = 0; r < n; ++r) {
      const float* row = src + r * k;
      if (layout == Layout::InOut) {
        column.resize(static_cast<std::size_t>(k));
        for (std::int64_t c = 0; c < k; ++c) column[static_cast<std::size_t>(c)] = src[c * n + r];
        row = column.data();
      }
      std::int8_t* out = q.data() + r * k;
      g->scales[static_cast<std::size_t>(r)] = quantize_symmetric(row, k, out);
      std::int32_t sum = 0;
#pragma omp simd reduction(+ : sum)
      for (std::int64_t c = 0; c < k; ++c) sum += out[c];
      g->colsums[static_cast<std::size_t>(r)] = sum;
    }
  }
  try {
    g->packed = int8_packed_desc(n, k);
    // [n, k] rows are [k, n] columns
    g->weights = prepack(memory::desc({k, n}, dt::s8, dims{1, k}), q.data(), g->packed);
  } catch (const dnnl::error& e) {
    throw Error(Status::Internal, matmul_shape("int8", k, n) + "prepacking: " + e.what());
  }
  return g;
}

std::int64_t int8_gemm_bytes(const Int8Gemm& g) {
  return int8_gemm_bytes(g.packed, g.n);
}

void int8_matmul(const float* x, std::int64_t m, const Int8Gemm& g, const float* bias, float* y,
                 bool accumulate, std::int64_t ldx, std::int64_t ldy) {
  const int levels = activation_levels();
  thread_local std::vector<std::uint8_t> qx;
  thread_local std::vector<std::int32_t> acc;
  thread_local std::vector<float> row_scale;
  thread_local std::vector<std::int32_t> row_zero;
  for (std::int64_t m0 = 0; m0 < m; m0 += kChunkRows) {
    const std::int64_t rows = std::min(kChunkRows, m - m0), padded = padded_rows(rows);
    qx.resize(static_cast<std::size_t>(padded * g.k));
    acc.resize(static_cast<std::size_t>(padded * g.n));
    row_scale.resize(static_cast<std::size_t>(rows));
    row_zero.resize(static_cast<std::size_t>(rows));
    // thread_local buffers are named outside the parallel regions (each thread has its own).
    std::uint8_t* q = qx.data();
    float* sa = row_scale.data();
    std::int32_t* zero = row_zero.data();
#pragma omp parallel for schedule(static)
    for (std::int64_t r = 0; r < rows; ++r)
      quantize_row(x + (m0 + r) * ldx, g.k, levels, q + r * g.k, sa[r], zero[r]);
    std::memset(q + rows * g.k, 0, static_cast<std::size_t>((padded - rows) * g.k));

    const Int8Key key{g.k, g.n, padded, omp_get_max_threads(), g.packed};
    const auto prim = int8_cache().get(key, [](const Int8Key& kk) {
      try {
        return dnnl::matmul(describe(kk.rows, kk.k, kk.n, kk.weights));
      } catch (const dnnl::error& e) {
        throw Error(Status::Internal,
                    matmul_shape("int8", kk.k, kk.n) + "M=" + std::to_string(kk.rows) + ": " + e.what());
      }
    });
    auto& eng = engine();
    memory src({{padded, g.k}, dt::u8, dims{g.k, 1}}, eng, q);
    memory dst({{padded, g.n}, dt::s32, dims{g.n, 1}}, eng, acc.data());
    execute(*prim, {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, g.weights}, {DNNL_ARG_DST, dst}});
    rescale(acc.data(), rows, g, sa, zero, bias, y + m0 * ldy, accumulate, ldy);
  }
}

std::size_t cached_int8_primitives() {
  return int8_cache().size();
}

}  // namespace onednn
}  // namespace nib::kernels
