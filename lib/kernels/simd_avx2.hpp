#pragma once
// AVX2+FMA building blocks shared by the kernels: horizontal sums, tail masks and vectorised
// exp/tanh accurate to ~1-2 ulp over the float range (PyTorch fp32 results are the reference, so
// the usual fast approximations are not good enough).
#include <immintrin.h>

#include <cstdint>

namespace nib::kernels::simd {

inline float hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

inline float hmax(__m256 v) {
  __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_max_ps(s, _mm_movehl_ps(s, s));
  s = _mm_max_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

// Lane mask selecting the first `n` (0..8) lanes, for masked loads/stores of row tails.
inline __m256i tail_mask(std::int64_t n) {
  const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n)), lanes);
}

// e^x: Cody-Waite reduction x = n·ln2 + r, |r| <= ln2/2, degree-7 Taylor polynomial (truncation
// error 5e-9 relative), then scaling by 2^n in two halves so results down to the denormal range
// and up to FLT_MAX come out right. x > 88.72 gives +inf, x < -104 gives 0.
inline __m256 exp(__m256 x) {
  const __m256 hi = _mm256_set1_ps(88.72283935546875f);
  const __m256 lo = _mm256_set1_ps(-104.f);
  const __m256 overflow = _mm256_cmp_ps(x, hi, _CMP_GT_OQ);
  x = _mm256_max_ps(_mm256_min_ps(x, hi), lo);
  const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
  __m256 p = _mm256_set1_ps(1.f / 5040.f);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.f / 720.f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.f / 120.f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.f / 24.f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.f / 6.f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.f));
  const __m256i ni = _mm256_cvtps_epi32(n);
  const __m256i n1 = _mm256_srai_epi32(ni, 1);
  const __m256i n2 = _mm256_sub_epi32(ni, n1);
  const __m256i bias = _mm256_set1_epi32(127);
  const __m256 s1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n1, bias), 23));
  const __m256 s2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n2, bias), 23));
  p = _mm256_mul_ps(_mm256_mul_ps(p, s1), s2);
  return _mm256_blendv_ps(p, _mm256_set1_ps(__builtin_inff()), overflow);
}

// tanh: odd Taylor series below |x| = 0.55 (where 1 - 2/(e^2x + 1) would cancel), the exp form
// above; saturates to ±1 beyond |x| = 9.
inline __m256 tanh(__m256 x) {
  const __m256 sign = _mm256_and_ps(x, _mm256_set1_ps(-0.f));
  const __m256 ax = _mm256_andnot_ps(_mm256_set1_ps(-0.f), x);
  // Large: 1 - 2 / (e^(2|x|) + 1).
  const __m256 e = simd::exp(_mm256_mul_ps(_mm256_min_ps(ax, _mm256_set1_ps(9.f)), _mm256_set1_ps(2.f)));
  const __m256 large = _mm256_sub_ps(
      _mm256_set1_ps(1.f), _mm256_div_ps(_mm256_set1_ps(2.f), _mm256_add_ps(e, _mm256_set1_ps(1.f))));
  // Small: x·P(x²) with the Taylor coefficients through x^17 (relative error < 1e-7 at 0.55).
  const __m256 x2 = _mm256_mul_ps(ax, ax);
  __m256 p = _mm256_set1_ps(5.7049888e-04f);
  p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(-1.4558344e-03f));
  p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(3.5921280e-03f));
  p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(-8.8632355e-03f));
  p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(2.1869488e-02f));
  p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(-5.3968254e-02f));
  p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(1.3333334e-01f));
  p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(-3.3333334e-01f));
  const __m256 small = _mm256_fmadd_ps(_mm256_mul_ps(p, x2), ax, ax);
  const __m256 use_small = _mm256_cmp_ps(ax, _mm256_set1_ps(0.55f), _CMP_LT_OQ);
  return _mm256_or_ps(_mm256_blendv_ps(large, small, use_small), sign);
}

// Applies `f` (a __m256 -> __m256 functor) to n floats in place, with a masked tail.
template <class F>
inline void map_inplace(float* x, std::int64_t n, F f) {
  std::int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, f(_mm256_loadu_ps(x + i)));
  if (i < n) {
    const __m256i m = tail_mask(n - i);
    _mm256_maskstore_ps(x + i, m, f(_mm256_maskload_ps(x + i, m)));
  }
}

}  // namespace nib::kernels::simd
