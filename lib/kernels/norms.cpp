// RMSNorm and LayerNorm with PyTorch fp32 semantics: statistics in f32, biased variance,
// eps inside the square root, exact 1/sqrt (no rsqrt approximation).
#include <immintrin.h>

#include <cmath>

#include "kernels/kernels.hpp"
#include "kernels/simd_avx2.hpp"

namespace nib::kernels {

namespace {

using std::int64_t;

constexpr int64_t kParallelNormElements = 1 << 16;

// Sum of (x - shift)² over a row, four accumulators deep.
float sum_sq(const float* x, int64_t n, float shift) {
  const __m256 s = _mm256_set1_ps(shift);
  __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(x + i), s),
                 d1 = _mm256_sub_ps(_mm256_loadu_ps(x + i + 8), s);
    const __m256 d2 = _mm256_sub_ps(_mm256_loadu_ps(x + i + 16), s);
    const __m256 d3 = _mm256_sub_ps(_mm256_loadu_ps(x + i + 24), s);
    a0 = _mm256_fmadd_ps(d0, d0, a0);
    a1 = _mm256_fmadd_ps(d1, d1, a1);
    a2 = _mm256_fmadd_ps(d2, d2, a2);
    a3 = _mm256_fmadd_ps(d3, d3, a3);
  }
  for (; i + 8 <= n; i += 8) {
    const __m256 d = _mm256_sub_ps(_mm256_loadu_ps(x + i), s);
    a0 = _mm256_fmadd_ps(d, d, a0);
  }
  if (i < n) {
    const __m256i m = simd::tail_mask(n - i);
    const __m256 d = _mm256_and_ps(_mm256_sub_ps(_mm256_maskload_ps(x + i, m), s), _mm256_castsi256_ps(m));
    a1 = _mm256_fmadd_ps(d, d, a1);
  }
  return simd::hsum(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
}

float sum(const float* x, int64_t n) {
  __m256 a0 = _mm256_setzero_ps(), a1 = a0;
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    a0 = _mm256_add_ps(a0, _mm256_loadu_ps(x + i));
    a1 = _mm256_add_ps(a1, _mm256_loadu_ps(x + i + 8));
  }
  for (; i + 8 <= n; i += 8) a0 = _mm256_add_ps(a0, _mm256_loadu_ps(x + i));
  if (i < n) a1 = _mm256_add_ps(a1, _mm256_maskload_ps(x + i, simd::tail_mask(n - i)));
  return simd::hsum(_mm256_add_ps(a0, a1));
}

// y = ((x - shift) · scale) · gamma (+ beta), the order in which PyTorch rounds; no gamma means 1.
void scale_row(const float* x, float shift, float scale, const float* gamma, const float* beta, float* y,
               int64_t n) {
  const __m256 sh = _mm256_set1_ps(shift), sc = _mm256_set1_ps(scale);
  const __m256 ones = _mm256_set1_ps(1.f);
  auto one = [&](__m256 xv, __m256 g, __m256 b) {
    const __m256 v = _mm256_mul_ps(_mm256_mul_ps(_mm256_sub_ps(xv, sh), sc), g);
    return beta ? _mm256_add_ps(v, b) : v;
  };
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(y + i, one(_mm256_loadu_ps(x + i), gamma ? _mm256_loadu_ps(gamma + i) : ones,
                                beta ? _mm256_loadu_ps(beta + i) : _mm256_setzero_ps()));
  if (i < n) {
    const __m256i m = simd::tail_mask(n - i);
    _mm256_maskstore_ps(y + i, m,
                        one(_mm256_maskload_ps(x + i, m), gamma ? _mm256_maskload_ps(gamma + i, m) : ones,
                            beta ? _mm256_maskload_ps(beta + i, m) : _mm256_setzero_ps()));
  }
}

// Small calls (a decode step's one row) open no parallel region, so they may run inside one.
bool parallel_rows(int64_t rows, int64_t dim) {
  return rows * dim >= kParallelNormElements && rows > 1;
}

void rms_row(const float* x, const float* weight, float* y, int64_t dim, float eps) {
  const float mean_sq = sum_sq(x, dim, 0.f) / static_cast<float>(dim);
  scale_row(x, 0.f, 1.f / std::sqrt(mean_sq + eps), weight, nullptr, y, dim);
}

void layer_norm_row(const float* x, const float* gamma, const float* beta, float* y, int64_t dim, float eps) {
  const float mean = sum(x, dim) / static_cast<float>(dim);
  const float var = sum_sq(x, dim, mean) / static_cast<float>(dim);  // two-pass: no cancellation
  scale_row(x, mean, 1.f / std::sqrt(var + eps), gamma, beta, y, dim);
}

}  // namespace

void rms_norm(const float* x, const float* weight, float* y, int64_t rows, int64_t dim, float eps) {
  if (!parallel_rows(rows, dim)) {
    for (int64_t r = 0; r < rows; ++r) rms_row(x + r * dim, weight, y + r * dim, dim, eps);
    return;
  }
#pragma omp parallel for
  for (int64_t r = 0; r < rows; ++r) rms_row(x + r * dim, weight, y + r * dim, dim, eps);
}

void layer_norm(const float* x, const float* gamma, const float* beta, float* y, int64_t rows, int64_t dim,
                float eps) {
  auto row = [&](int64_t r) { layer_norm_row(x + r * dim, gamma, beta, y + r * dim, dim, eps); };
  if (!parallel_rows(rows, dim)) {
    for (int64_t r = 0; r < rows; ++r) row(r);
    return;
  }
#pragma omp parallel for
  for (int64_t r = 0; r < rows; ++r) row(r);
}

}  // namespace nib::kernels
