#pragma once
// Symmetric quantisation: int8, the one formula behind int8 weights (per block of kInt8Block along K
// for the GEMV, per output channel for oneDNN) and the GEMV's per-block activations; int4, behind
// int4 weights.
#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "kernels/simd_avx2.hpp"

namespace nib::kernels {

// q[i] = round(x[i] / scale) in [-127, 127] with scale = max |x| / 127 (an all-zero run: scale 0,
// codes 0). Returns the scale.
inline float quantize_symmetric(const float* x, std::int64_t n, std::int8_t* q) {
  float amax = 0.f;
  for (std::int64_t i = 0; i < n; ++i) amax = std::max(amax, std::abs(x[i]));
  const float inv = amax > 0.f ? 127.f / amax : 0.f;
  for (std::int64_t i = 0; i < n; ++i)
    q[i] = static_cast<std::int8_t>(std::clamp(std::nearbyint(x[i] * inv), -127.f, 127.f));
  return amax / 127.f;
}

// The smallest IEEE half >= scale, as bits: int8 and int4 weight groups keep their block scales in 2
// bytes. Rounding up, int8 codes chosen with the stored scale never need clamping; a scale grows by
// less than one ulp of a half (2^-10 relative above 2^-14). Infinity (not finite) for |scale| past
// 65504 or NaN.
inline std::uint16_t half_scale(float scale) {
  if (!(std::abs(scale) <= 65504.f)) return 0x7c00;
  return static_cast<std::uint16_t>(
      _mm_extract_epi16(_mm_cvtps_ph(_mm_set_ss(scale), _MM_FROUND_TO_POS_INF), 0));
}
// One half to f32, inline: dequantize widens a scale per block (f16_to_f32 takes arrays).
inline float widen_half(std::uint16_t h) {
  return _mm_cvtss_f32(_mm_cvtph_ps(_mm_cvtsi32_si128(h)));
}
inline bool half_is_finite(std::uint16_t h) {
  return (h & 0x7c00u) != 0x7c00u;
}

// An int8 weight block of finite x: scale = max |x| / 127 rounded up to a half (returned as its
// bits; infinite past what a half holds), q[i] = round(x[i] / scale) in [-127, 127].
inline std::uint16_t quantize_weight_int8(const float* x, std::int64_t n, std::int8_t* q) {
  float amax = 0.f;
  for (std::int64_t i = 0; i < n; ++i) amax = std::max(amax, std::abs(x[i]));
  const std::uint16_t h = half_scale(amax / 127.f);
  const float scale = widen_half(h), inv = scale > 0.f ? 1.f / scale : 0.f;  // infinite: 0, rejected
  for (std::int64_t i = 0; i < n; ++i)
    q[i] = static_cast<std::int8_t>(std::clamp(std::nearbyint(x[i] * inv), -127.f, 127.f));
  return h;
}

// One block of n <= 32 4-bit codes, code[i] in [0, 15] for x[i] ≈ (code[i] − 8) · scale. Q4_0's
// rule maps the element of largest magnitude m to −8 (scale = m / −8); here the inverse scales
// −(8 + 0.1·j) / m for j in [−9, 9] are tried, each with its codes' least-squares scale
// Σ x·q / Σ q², whose squared error is Σ x² − (Σ x·q)² / Σ q²: the largest (Σ x·q)² / Σ q² wins
// (as llama.cpp's make_qx_quants). An all-zero block: scale 0, codes 8. Returns the scale.
inline float quantize_int4(const float* x, std::int64_t n, std::uint8_t* code) {
  alignas(32) float v[32] = {};
  std::copy(x, x + n, v);
  float m = 0.f;
  for (std::int64_t i = 0; i < n; ++i)
    if (std::abs(v[i]) > std::abs(m)) m = v[i];
  std::fill(code, code + n, std::uint8_t{8});
  if (m == 0.f) return 0.f;
  const __m256 lo = _mm256_set1_ps(-8.f), hi = _mm256_set1_ps(7.f);
  auto q = [&](int i, __m256 inv) {
    const __m256 r = _mm256_round_ps(_mm256_mul_ps(_mm256_load_ps(v + 8 * i), inv),
                                     _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    return _mm256_min_ps(_mm256_max_ps(r, lo), hi);
  };
  float best = -1.f, best_scale = 0.f, best_inv = 0.f;
  for (int j = -9; j <= 9; ++j) {
    const float inv = -(8.f + 0.1f * static_cast<float>(j)) / m;
    __m256 xq = _mm256_setzero_ps(), qq = xq;
    for (int i = 0; i < 4; ++i) {  // padding past n is 0: code 8, adds nothing
      const __m256 t = q(i, _mm256_set1_ps(inv));
      xq = _mm256_fmadd_ps(_mm256_load_ps(v + 8 * i), t, xq);
      qq = _mm256_fmadd_ps(t, t, qq);
    }
    const float sxq = simd::hsum(xq), sqq = simd::hsum(qq);  // sqq > 0: m's own code is at least 7 from 8
    if (sxq * sxq / sqq > best) best = sxq * sxq / sqq, best_scale = sxq / sqq, best_inv = inv;
  }
  alignas(32) float t[32];
  for (int i = 0; i < 4; ++i) _mm256_store_ps(t + 8 * i, q(i, _mm256_set1_ps(best_inv)));
  for (std::int64_t i = 0; i < n; ++i) code[i] = static_cast<std::uint8_t>(t[i] + 8.f);
  return best_scale;
}

}  // namespace nib::kernels
