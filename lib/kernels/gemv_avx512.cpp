// AVX-512 (VNNI) M = 1 kernels. Every function here carries the target attribute, so the rest of
// the build stays AVX2; callers check active_isa() first.
#include "kernels/gemv_avx512.hpp"

#include <immintrin.h>

#include <vector>

#include "kernels/gemv_rows.hpp"
#include "kernels/kernels.hpp"

#define NIB_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512vnni")))

namespace nib::kernels::gemv::avx512 {

namespace {

using std::int64_t;

// Per pair of blocks p (64 bytes of x): the i32 start value of vpdpbusd, -16·Σxq of the block in each
// of its 8 lanes (8 lanes · 16 = the 128 offset of the weights), and xs of the block in its lanes.
struct PairTables {
  std::vector<std::int32_t> init;
  std::vector<float> xscale;
};

NIB_AVX512 void fill_tables(const std::int8_t* xq, const float* xs, int64_t blocks, PairTables& t) {
  const int64_t pairs = (blocks + 1) / 2;
  if (static_cast<int64_t>(t.init.size()) < pairs * 16) {
    t.init.resize(static_cast<std::size_t>(pairs * 16));
    t.xscale.resize(static_cast<std::size_t>(pairs * 16));
  }
  for (int64_t b = 0; b < 2 * pairs; ++b) {
    std::int32_t sum = 0;
    float scale = 0.f;
    if (b < blocks) {
      for (int64_t c = 0; c < kInt8Block; ++c) sum += xq[b * kInt8Block + c];
      scale = xs[b];
    }
    for (int64_t l = 0; l < 8; ++l) {
      t.init[static_cast<std::size_t>(b * 8 + l)] = -16 * sum;
      t.xscale[static_cast<std::size_t>(b * 8 + l)] = scale;
    }
  }
}

// One pair of blocks p of R rows (row stride k, scales s with row stride `blocks`) into acc.
template <int R, bool kWhole>
NIB_AVX512 inline void pair_step(const std::int8_t* xq, const PairTables& t, const std::int8_t* q,
                                 const float* s, int64_t k, int64_t blocks, int64_t p, __mmask64 mask,
                                 __m512* acc) {
  const __m512i offset = _mm512_set1_epi8(static_cast<char>(0x80));  // s8 ^ 0x80 = s8 + 128 as u8
  const __m512i xv = _mm512_loadu_si512(xq + p * 64);
  const __m512i init = _mm512_loadu_si512(t.init.data() + p * 16);
  const __m512 xsc = _mm512_loadu_ps(t.xscale.data() + p * 16);
  const int64_t b = 2 * p, b1 = b + 1 < blocks ? b + 1 : b;
  for (int r = 0; r < R; ++r) {
    const std::int8_t* row = q + r * k + p * 64;
    // The same line of the next group of R rows: the thread's rows are one contiguous stream, but
    // each row is too short (k bytes) for the hardware prefetcher to get ahead of it.
    _mm_prefetch(reinterpret_cast<const char*>(row + R * k), _MM_HINT_T0);
    __m512i w;
    if constexpr (kWhole)
      w = _mm512_loadu_si512(row);
    else
      w = _mm512_maskz_loadu_epi8(mask, row);
    const __m512i d = _mm512_dpbusd_epi32(init, _mm512_xor_si512(w, offset), xv);
    const float* sr = s + r * blocks;
    const __m512 sw = _mm512_mask_broadcastss_ps(_mm512_set1_ps(sr[b]), 0xFF00, _mm_load_ss(sr + b1));
    acc[r] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(d), _mm512_mul_ps(sw, xsc), acc[r]);
  }
}

// R rows starting at q (row stride k): sums[r] = Σ_b s_r[b] · xs[b] · (q_r · xq)_b.
template <int R>
NIB_AVX512 inline void rows_dot(const std::int8_t* xq, const PairTables& t, const std::int8_t* q,
                                const float* s, int64_t k, int64_t blocks, float* sums) {
  __m512 acc[R];
  for (int r = 0; r < R; ++r) acc[r] = _mm512_setzero_ps();
  const int64_t pairs = (blocks + 1) / 2, full = k / 64;
  int64_t p = 0;
  for (; p < full; ++p) pair_step<R, true>(xq, t, q, s, k, blocks, p, 0, acc);
  // The last, partial pair: masked-off weight bytes read as 0 (u8 128) against x's zero padding.
  if (p < pairs)
    pair_step<R, false>(xq, t, q, s, k, blocks, p, _cvtu64_mask64((std::uint64_t{1} << (k - p * 64)) - 1),
                        acc);
  for (int r = 0; r < R; ++r) sums[r] = _mm512_reduce_add_ps(acc[r]);
}

}  // namespace

NIB_AVX512 void int8_rows(const std::int8_t* xq, const float* xs, const std::int8_t* q, const float* scales,
                          int64_t k, int64_t n0, int64_t n1, const float* bias, float* y, bool acc) {
  const int64_t blocks = int8_blocks(k);
  thread_local PairTables tables;
  fill_tables(xq, xs, blocks, tables);
  float sums[4];
  auto store = [&](int64_t n, int count) { store_sums(sums, count, bias ? bias + n : nullptr, y + n, acc); };
  int64_t n = n0;
  for (; n + 4 <= n1; n += 4) {
    rows_dot<4>(xq, tables, q + n * k, scales + n * blocks, k, blocks, sums);
    store(n, 4);
  }
  for (; n < n1; ++n) {
    rows_dot<1>(xq, tables, q + n * k, scales + n * blocks, k, blocks, sums);
    store(n, 1);
  }
}

}  // namespace nib::kernels::gemv::avx512
