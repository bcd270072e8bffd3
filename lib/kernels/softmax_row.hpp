#pragma once
// In-place numerically stable softmax of one row (shared by softmax_rows and attention).
#include <immintrin.h>

#include <cstdint>
#include <limits>

#include "kernels/simd_avx2.hpp"

namespace nib::kernels {

inline void softmax_row(float* x, std::int64_t n) {
  if (n <= 0) return;
  __m256 mv = _mm256_set1_ps(-std::numeric_limits<float>::infinity());
  std::int64_t i = 0;
  for (; i + 8 <= n; i += 8) mv = _mm256_max_ps(mv, _mm256_loadu_ps(x + i));
  float mx = simd::hmax(mv);
  for (; i < n; ++i) mx = x[i] > mx ? x[i] : mx;
  const __m256 m = _mm256_set1_ps(mx);
  __m256 sv = _mm256_setzero_ps();
  i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 e = simd::exp(_mm256_sub_ps(_mm256_loadu_ps(x + i), m));
    _mm256_storeu_ps(x + i, e);
    sv = _mm256_add_ps(sv, e);
  }
  if (i < n) {
    const __m256i tm = simd::tail_mask(n - i);
    const __m256 e =
        _mm256_and_ps(simd::exp(_mm256_sub_ps(_mm256_maskload_ps(x + i, tm), m)), _mm256_castsi256_ps(tm));
    _mm256_maskstore_ps(x + i, tm, e);
    sv = _mm256_add_ps(sv, e);
  }
  const __m256 inv = _mm256_set1_ps(1.f / simd::hsum(sv));
  simd::map_inplace(x, n, [inv](__m256 v) { return _mm256_mul_ps(v, inv); });
}

}  // namespace nib::kernels
