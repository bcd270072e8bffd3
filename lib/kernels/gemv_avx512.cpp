// AVX-512 (VNNI) GEMV kernels. Every function here carries the target attribute, so the rest of
// the build stays AVX2; callers check active_isa() first.
#include "kernels/gemv_avx512.hpp"

#include <immintrin.h>

#include <cstring>

#include "kernels/kernels.hpp"

#define NIB_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512vnni")))

namespace nib::kernels::gemv::avx512 {

using std::int64_t;

namespace {
// Block b's 16 integer row sums d, scaled by the rows' scales s (half bits) and x's block scale xs, added
// into acc0 (even blocks) or acc1 (odd): two chains hide the FMA latency.
NIB_AVX512 inline void add_block(__m512i d, const std::uint16_t* s, float xs, int64_t b, __m512& acc0,
                                 __m512& acc1) {
  const __m512 scales = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(s)));
  const __m512 f = _mm512_cvtepi32_ps(d), scale = _mm512_mul_ps(scales, _mm512_set1_ps(xs));
  if (b & 1)
    acc1 = _mm512_fmadd_ps(f, scale, acc1);
  else
    acc0 = _mm512_fmadd_ps(f, scale, acc0);
}
}  // namespace

NIB_AVX512 void int8_group(const std::int8_t* xq, const float* xs, const std::int32_t* xsum,
                           const std::int8_t* group, int64_t blocks, float* sums) {
  const __m512i offset = _mm512_set1_epi8(static_cast<char>(0x80));  // s8 ^ 0x80 = s8 + 128 as u8
  __m512 acc0 = _mm512_setzero_ps(), acc1 = acc0;
  // The group is one contiguous stream, which the hardware prefetcher follows (software
  // prefetch measured slower).
  for (int64_t b = 0; b < blocks; ++b) {
    const std::int8_t* t = group + quantized_codes_at(Storage::Int8, b);
    // Two chains of 4 vpdpbusd each; the first starts at -128·Σxq to undo the weights' offset.
    __m512i d0 = _mm512_set1_epi32(-128 * xsum[b]), d1 = _mm512_setzero_si512();
    for (int j = 0; j < kInt8Block / 4; j += 2) {
      std::int32_t x0, x1;
      std::memcpy(&x0, xq + b * kInt8Block + 4 * j, sizeof x0);
      std::memcpy(&x1, xq + b * kInt8Block + 4 * j + 4, sizeof x1);
      d0 = _mm512_dpbusd_epi32(d0, _mm512_xor_si512(_mm512_loadu_si512(t + 64 * j), offset),
                               _mm512_set1_epi32(x0));
      d1 = _mm512_dpbusd_epi32(d1, _mm512_xor_si512(_mm512_loadu_si512(t + 64 * j + 64), offset),
                               _mm512_set1_epi32(x1));
    }
    add_block(_mm512_add_epi32(d0, d1), block_scales(group, Storage::Int8, blocks, b), xs[b], b, acc0, acc1);
  }
  _mm512_storeu_ps(sums, _mm512_add_ps(acc0, acc1));
}

namespace {
// The int4 row sums of R x rows at once: each chunk's codes are loaded and unpacked once for all R
// rows; per row, two chains of 4 vpdpbusd (low nibbles, high nibbles), the first started at -8·Σxq
// to undo the codes' offset. Each row's sums are those of R = 1.
template <int R>
NIB_AVX512 inline void int4_rows(const MatvecInput* const (&x)[R], const std::uint8_t* group, int64_t blocks,
                                 float* const (&sums)[R]) {
  const __m512i nibble = _mm512_set1_epi8(15);
  __m512 acc0[R], acc1[R];
  for (int r = 0; r < R; ++r) acc0[r] = acc1[r] = _mm512_setzero_ps();
  for (int64_t b = 0; b < blocks; ++b) {
    const std::uint8_t* t = group + quantized_codes_at(Storage::Int4, b);
    __m512i lo[R], hi[R];
    for (int r = 0; r < R; ++r) {
      lo[r] = _mm512_set1_epi32(-8 * x[r]->xsum[b]);
      hi[r] = _mm512_setzero_si512();
    }
    for (int j = 0; j < 4; ++j) {
      const __m512i w = _mm512_loadu_si512(t + 64 * j);
      const __m512i wl = _mm512_and_si512(w, nibble), wh = _mm512_and_si512(_mm512_srli_epi16(w, 4), nibble);
      for (int r = 0; r < R; ++r) {
        const std::int8_t* xb = x[r]->xq + b * kInt8Block;
        std::int32_t x0, x1;
        std::memcpy(&x0, xb + 4 * j, sizeof x0);
        std::memcpy(&x1, xb + 16 + 4 * j, sizeof x1);
        lo[r] = _mm512_dpbusd_epi32(lo[r], wl, _mm512_set1_epi32(x0));
        hi[r] = _mm512_dpbusd_epi32(hi[r], wh, _mm512_set1_epi32(x1));
      }
    }
    for (int r = 0; r < R; ++r)
      add_block(_mm512_add_epi32(lo[r], hi[r]), block_scales(group, Storage::Int4, blocks, b), x[r]->xs[b], b,
                acc0[r], acc1[r]);
  }
  for (int r = 0; r < R; ++r) _mm512_storeu_ps(sums[r], _mm512_add_ps(acc0[r], acc1[r]));
}
}  // namespace

NIB_AVX512 void int4_group(const MatvecInput& x, const std::uint8_t* group, int64_t blocks, float* sums) {
  int4_rows<1>({&x}, group, blocks, {sums});
}

NIB_AVX512 void int4_group2(const MatvecInput& x0, const MatvecInput& x1, const std::uint8_t* group,
                            int64_t blocks, float* sums0, float* sums1) {
  int4_rows<2>({&x0, &x1}, group, blocks, {sums0, sums1});
}

}  // namespace nib::kernels::gemv::avx512
