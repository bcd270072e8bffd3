#pragma once
// AVX2 loads of 8 weights of any 16/32-bit storage type as f32 (bf16: shift into the high half;
// f16: F16C), so one kernel template serves f32, bf16 and f16 weights.
#include <immintrin.h>

#include <cstdint>
#include <cstring>
#include <type_traits>

#include "kernels/kernels.hpp"
#include "kernels/simd_avx2.hpp"

namespace nib::kernels::simd {

template <Storage S>
using Elem = std::conditional_t<S == Storage::F32, float, std::uint16_t>;

template <Storage S>
inline __m256 load8(const Elem<S>* p) {
  if constexpr (S == Storage::F32) {
    return _mm256_loadu_ps(p);
  } else {
    const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    if constexpr (S == Storage::BF16)
      return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
    else
      return _mm256_cvtph_ps(h);
  }
}

// The first n (0..8) elements at p, the other lanes 0; reads nothing past p + n.
template <Storage S>
inline __m256 load_tail(const Elem<S>* p, std::int64_t n) {
  if constexpr (S == Storage::F32) {
    return _mm256_maskload_ps(p, tail_mask(n));
  } else {
    alignas(16) std::uint16_t buf[8] = {};
    std::memcpy(buf, p, sizeof(std::uint16_t) * static_cast<std::size_t>(n));
    return load8<S>(buf);
  }
}

// Four dot products of x with weight rows r[0..3] of length k (f32, bf16 or f16): two accumulators per row
// hide FMA latency, and each x vector is loaded once for the four rows. With ahead != 0, each row's
// elements `ahead` further on are prefetched (a GEMV's next rows: short rows are too short for the
// hardware prefetcher to get ahead).
template <Storage S = Storage::F32>
inline __m128 dot4(const float* x, const Elem<S>* r0, const Elem<S>* r1, const Elem<S>* r2, const Elem<S>* r3,
                   std::int64_t k, std::int64_t ahead = 0) {
  __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
  std::int64_t i = 0;
  for (; i + 16 <= k; i += 16) {
    if (ahead != 0 && (S == Storage::F32 || (i & 31) == 0)) {  // one 64-byte line per row
      _mm_prefetch(reinterpret_cast<const char*>(r0 + i + ahead), _MM_HINT_T0);
      _mm_prefetch(reinterpret_cast<const char*>(r1 + i + ahead), _MM_HINT_T0);
      _mm_prefetch(reinterpret_cast<const char*>(r2 + i + ahead), _MM_HINT_T0);
      _mm_prefetch(reinterpret_cast<const char*>(r3 + i + ahead), _MM_HINT_T0);
    }
    const __m256 x0 = _mm256_loadu_ps(x + i), x1 = _mm256_loadu_ps(x + i + 8);
    a0 = _mm256_fmadd_ps(load8<S>(r0 + i), x0, a0);
    a1 = _mm256_fmadd_ps(load8<S>(r1 + i), x0, a1);
    a2 = _mm256_fmadd_ps(load8<S>(r2 + i), x0, a2);
    a3 = _mm256_fmadd_ps(load8<S>(r3 + i), x0, a3);
    b0 = _mm256_fmadd_ps(load8<S>(r0 + i + 8), x1, b0);
    b1 = _mm256_fmadd_ps(load8<S>(r1 + i + 8), x1, b1);
    b2 = _mm256_fmadd_ps(load8<S>(r2 + i + 8), x1, b2);
    b3 = _mm256_fmadd_ps(load8<S>(r3 + i + 8), x1, b3);
  }
  for (; i + 8 <= k; i += 8) {
    const __m256 x0 = _mm256_loadu_ps(x + i);
    a0 = _mm256_fmadd_ps(load8<S>(r0 + i), x0, a0);
    a1 = _mm256_fmadd_ps(load8<S>(r1 + i), x0, a1);
    a2 = _mm256_fmadd_ps(load8<S>(r2 + i), x0, a2);
    a3 = _mm256_fmadd_ps(load8<S>(r3 + i), x0, a3);
  }
  if (i < k) {
    const __m256i m = tail_mask(k - i);
    const __m256 x0 = _mm256_maskload_ps(x + i, m);
    b0 = _mm256_fmadd_ps(load_tail<S>(r0 + i, k - i), x0, b0);
    b1 = _mm256_fmadd_ps(load_tail<S>(r1 + i, k - i), x0, b1);
    b2 = _mm256_fmadd_ps(load_tail<S>(r2 + i, k - i), x0, b2);
    b3 = _mm256_fmadd_ps(load_tail<S>(r3 + i, k - i), x0, b3);
  }
  a0 = _mm256_add_ps(a0, b0);
  a1 = _mm256_add_ps(a1, b1);
  a2 = _mm256_add_ps(a2, b2);
  a3 = _mm256_add_ps(a3, b3);
  // Transpose-and-add: lane j of the result is the full sum of row j.
  const __m256 s01 = _mm256_hadd_ps(a0, a1), s23 = _mm256_hadd_ps(a2, a3);
  const __m256 s = _mm256_hadd_ps(s01, s23);
  return _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
}

template <Storage S = Storage::F32>
inline float dot1(const float* x, const Elem<S>* r, std::int64_t k) {
  __m256 a = _mm256_setzero_ps(), b = a;
  std::int64_t i = 0;
  for (; i + 16 <= k; i += 16) {
    a = _mm256_fmadd_ps(load8<S>(r + i), _mm256_loadu_ps(x + i), a);
    b = _mm256_fmadd_ps(load8<S>(r + i + 8), _mm256_loadu_ps(x + i + 8), b);
  }
  for (; i + 8 <= k; i += 8) a = _mm256_fmadd_ps(load8<S>(r + i), _mm256_loadu_ps(x + i), a);
  if (i < k) {
    const __m256i m = tail_mask(k - i);
    b = _mm256_fmadd_ps(load_tail<S>(r + i, k - i), _mm256_maskload_ps(x + i, m), b);
  }
  return hsum(_mm256_add_ps(a, b));
}

}  // namespace nib::kernels::simd
