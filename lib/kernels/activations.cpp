// Element-wise activations, vectorised with forms that stay accurate in relative terms everywhere
// (no 1 + erf / 1 + tanh cancellation for negative inputs).
#include <immintrin.h>

#include <algorithm>

#include "kernels/kernels.hpp"
#include "kernels/simd_avx2.hpp"

namespace nib::kernels {

namespace {

using std::int64_t;

constexpr int64_t kParallelActivationElements = 1 << 15;

// Applies f to x in parallel chunks (cache-line aligned boundaries) once the work is worth it.
template <class F>
void parallel_map(float* x, int64_t n, F f) {
  if (n < kParallelActivationElements) return simd::map_inplace(x, n, f);
  constexpr int64_t kChunk = 1 << 13;
#pragma omp parallel for schedule(static)
  for (int64_t c = 0; c < (n + kChunk - 1) / kChunk; ++c) {
    const int64_t b = c * kChunk;
    simd::map_inplace(x + b, std::min(kChunk, n - b), f);
  }
}

// Φ(-|x|) = erfc(z)/2, z = |x|/√2, as t·exp(-z² + P(t))/2 with t = 1 / (1 + z/2): P is a degree-10
// Chebyshev fit (our own, on z in [0, 10]) of ln(erfc(z)/t) + z², relative error ~1e-8 in double.
// z² = x²/2 is formed exactly (hi + lo via FMA) from x itself, so only the final subtraction rounds
// in the exponent. Beyond z = 10 the value is below FLT_MIN.
inline __m256 half_erfc_of_abs(__m256 ax) {
  ax = _mm256_min_ps(ax, _mm256_set1_ps(14.f));
  const __m256 z = _mm256_mul_ps(ax, _mm256_set1_ps(0.70710678118654752f));
  const __m256 t =
      _mm256_div_ps(_mm256_set1_ps(1.f), _mm256_fmadd_ps(z, _mm256_set1_ps(0.5f), _mm256_set1_ps(1.f)));
  const __m256 s = _mm256_mul_ps(_mm256_sub_ps(t, _mm256_set1_ps(0.58333333f)), _mm256_set1_ps(2.4f));
  static constexpr float c[] = {-2.413217420e-05f, 5.488488707e-05f, 1.330719282e-04f,  -5.343771746e-04f,
                                -2.787787610e-04f, 3.707520304e-03f, -1.044538672e-03f, -2.947034941e-02f,
                                1.574494621e-02f,  5.703071040e-01f, -5.585953511e-01f};
  __m256 p = _mm256_set1_ps(c[0]);
  for (int i = 1; i < 11; ++i) p = _mm256_fmadd_ps(p, s, _mm256_set1_ps(c[i]));
  const __m256 x2 = _mm256_mul_ps(ax, ax);
  const __m256 x2_lo = _mm256_fmsub_ps(ax, ax, x2);
  const __m256 half = _mm256_set1_ps(0.5f);
  const __m256 arg = _mm256_fnmadd_ps(half, x2_lo, _mm256_fnmadd_ps(half, x2, p));
  return _mm256_mul_ps(_mm256_mul_ps(half, t), simd::exp(arg));
}

// x·Φ(x) with Φ(x) = erfc(-x/√2)/2 for x < 0 and 1 - erfc(x/√2)/2 otherwise.
inline __m256 gelu_erf_v(__m256 x) {
  const __m256 half_erfc = half_erfc_of_abs(_mm256_andnot_ps(_mm256_set1_ps(-0.f), x));
  const __m256 phi = _mm256_blendv_ps(_mm256_sub_ps(_mm256_set1_ps(1.f), half_erfc), half_erfc, x);
  return _mm256_mul_ps(x, phi);
}

// 0.5·x·(1 + tanh(u)) = x / (1 + e^(-2u)), u = √(2/π)(x + 0.044715x³).
inline __m256 gelu_tanh_v(__m256 x) {
  const __m256 x3 = _mm256_mul_ps(_mm256_mul_ps(x, x), x);
  const __m256 u =
      _mm256_mul_ps(_mm256_set1_ps(0.7978845608028654f), _mm256_fmadd_ps(_mm256_set1_ps(0.044715f), x3, x));
  const __m256 e = simd::exp(_mm256_mul_ps(u, _mm256_set1_ps(-2.f)));
  return _mm256_div_ps(x, _mm256_add_ps(_mm256_set1_ps(1.f), e));
}

inline __m256 silu_v(__m256 x) {
  const __m256 e = simd::exp(_mm256_sub_ps(_mm256_setzero_ps(), x));
  return _mm256_div_ps(x, _mm256_add_ps(_mm256_set1_ps(1.f), e));
}

}  // namespace

void gelu_erf(float* x, int64_t n) {
  parallel_map(x, n, gelu_erf_v);
}
void gelu_tanh(float* x, int64_t n) {
  parallel_map(x, n, gelu_tanh_v);
}
void silu(float* x, int64_t n) {
  parallel_map(x, n, silu_v);
}
void relu(float* x, int64_t n) {
  parallel_map(x, n, [](__m256 v) { return _mm256_max_ps(v, _mm256_setzero_ps()); });
}
void tanh_inplace(float* x, int64_t n) {
  parallel_map(x, n, [](__m256 v) { return simd::tanh(v); });
}

void apply_epilogue(Epilogue e, float* x, int64_t n) {
  switch (e) {
    case Epilogue::None: return;
    case Epilogue::GeluErf: return gelu_erf(x, n);
    case Epilogue::GeluTanh: return gelu_tanh(x, n);
    case Epilogue::Relu: return relu(x, n);
    case Epilogue::Silu: return silu(x, n);
  }
}

void silu_mul(const float* gate, const float* up, float* out, int64_t n) {
  auto row = [&](int64_t b, int64_t e) {
    int64_t i = b;
    for (; i + 8 <= e; i += 8)
      _mm256_storeu_ps(out + i, _mm256_mul_ps(silu_v(_mm256_loadu_ps(gate + i)), _mm256_loadu_ps(up + i)));
    if (i < e) {
      const __m256i m = simd::tail_mask(e - i);
      _mm256_maskstore_ps(
          out + i, m, _mm256_mul_ps(silu_v(_mm256_maskload_ps(gate + i, m)), _mm256_maskload_ps(up + i, m)));
    }
  };
  if (n < kParallelActivationElements) return row(0, n);
  constexpr int64_t kChunk = 1 << 13;
#pragma omp parallel for schedule(static)
  for (int64_t c = 0; c < (n + kChunk - 1) / kChunk; ++c) row(c * kChunk, std::min(n, (c + 1) * kChunk));
}

void add_inplace(float* y, const float* x, int64_t n) {
  auto add = [y, x](int64_t b, int64_t e) {
    int64_t i = b;
    for (; i + 8 <= e; i += 8)
      _mm256_storeu_ps(y + i, _mm256_add_ps(_mm256_loadu_ps(y + i), _mm256_loadu_ps(x + i)));
    for (; i < e; ++i) y[i] += x[i];
  };
  // Encoder residuals are batch × 128 × hidden floats: worth both cores; decode's one row is not.
  if (n < kParallelActivationElements) return add(0, n);
  constexpr int64_t kChunk = 1 << 13;
#pragma omp parallel for schedule(static)
  for (int64_t c = 0; c < (n + kChunk - 1) / kChunk; ++c) add(c * kChunk, std::min(n, (c + 1) * kChunk));
}

}  // namespace nib::kernels
