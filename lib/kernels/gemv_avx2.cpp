#include "kernels/gemv_avx2.hpp"

#include <immintrin.h>
#include <omp.h>

#include <algorithm>

#include "kernels/simd_avx2.hpp"

namespace nib::kernels::gemv {

namespace {

using std::int64_t;

// Below this many multiply-adds a parallel region costs more than it saves.
constexpr int64_t kParallelWork = 1 << 15;

// Splits [0, n) into `parts` chunks whose boundaries are multiples of `align`.
void split(int64_t n, int parts, int part, int64_t align, int64_t& begin, int64_t& end) {
  const int64_t units = (n + align - 1) / align;
  begin = std::min(n, units * part / parts * align);
  end = std::min(n, units * (part + 1) / parts * align);
}

// OutIn ([N, K] rows): output n is a dot product with row n. Four rows at a time are read once from
// memory and then reused from cache for every x row.
void out_in(const float* x, int64_t m, const Weight& w, const float* bias, float* y, bool acc, int64_t ldx,
            int64_t ldy, int64_t n0, int64_t n1) {
  const int64_t k = w.k;
  int64_t n = n0;
  for (; n + 4 <= n1; n += 4) {
    const float* r = w.data + n * k;
    const __m128 b = bias ? _mm_loadu_ps(bias + n) : _mm_setzero_ps();
    for (int64_t i = 0; i < m; ++i) {
      __m128 s = _mm_add_ps(simd::dot4(x + i * ldx, r, r + k, r + 2 * k, r + 3 * k, k), b);
      float* out = y + i * ldy + n;
      if (acc) s = _mm_add_ps(s, _mm_loadu_ps(out));
      _mm_storeu_ps(out, s);
    }
  }
  for (; n < n1; ++n) {
    for (int64_t i = 0; i < m; ++i) {
      float s = simd::dot1(x + i * ldx, w.data + n * k, k) + (bias ? bias[n] : 0.f);
      float& out = y[i * ldy + n];
      out = acc ? out + s : s;
    }
  }
}

// InOut ([K, N] rows): y[i, :] += x[i, k] · W[k, :]. Each thread owns a column range, walked in
// tiles of contiguous row segments; the y tile stays in L1/L2 while four W rows at a time stream by.
void in_out(const float* x, int64_t m, const Weight& w, const float* bias, float* y, bool acc, int64_t ldx,
            int64_t ldy, int64_t c0, int64_t c1) {
  constexpr int64_t kTile = 2048;
  const int64_t ld = w.n;
  for (int64_t t0 = c0; t0 < c1; t0 += kTile) {
    const int64_t t1 = std::min(c1, t0 + kTile), width = t1 - t0;
    const int64_t full = width / 8 * 8;
    const __m256i tail = simd::tail_mask(width - full);
    for (int64_t i = 0; i < m; ++i) {
      float* out = y + i * ldy + t0;
      if (!acc) {
        if (bias)
          std::copy(bias + t0, bias + t1, out);
        else
          std::fill(out, out + width, 0.f);
      } else if (bias) {
        for (int64_t j = 0; j < width; ++j) out[j] += bias[t0 + j];
      }
    }
    int64_t kk = 0;
    for (; kk + 4 <= w.k; kk += 4) {
      const float* r0 = w.data + kk * ld + t0;
      const float* r1 = r0 + ld;
      const float* r2 = r1 + ld;
      const float* r3 = r2 + ld;
      for (int64_t i = 0; i < m; ++i) {
        const float* xi = x + i * ldx + kk;
        const __m256 x0 = _mm256_broadcast_ss(xi), x1 = _mm256_broadcast_ss(xi + 1);
        const __m256 x2 = _mm256_broadcast_ss(xi + 2), x3 = _mm256_broadcast_ss(xi + 3);
        float* out = y + i * ldy + t0;
        int64_t j = 0;
        for (; j < full; j += 8) {
          __m256 a = _mm256_fmadd_ps(_mm256_loadu_ps(r0 + j), x0, _mm256_loadu_ps(out + j));
          __m256 b = _mm256_mul_ps(_mm256_loadu_ps(r1 + j), x1);
          a = _mm256_fmadd_ps(_mm256_loadu_ps(r2 + j), x2, a);
          b = _mm256_fmadd_ps(_mm256_loadu_ps(r3 + j), x3, b);
          _mm256_storeu_ps(out + j, _mm256_add_ps(a, b));
        }
        if (j < width) {
          __m256 a = _mm256_fmadd_ps(_mm256_maskload_ps(r0 + j, tail), x0, _mm256_maskload_ps(out + j, tail));
          __m256 b = _mm256_mul_ps(_mm256_maskload_ps(r1 + j, tail), x1);
          a = _mm256_fmadd_ps(_mm256_maskload_ps(r2 + j, tail), x2, a);
          b = _mm256_fmadd_ps(_mm256_maskload_ps(r3 + j, tail), x3, b);
          _mm256_maskstore_ps(out + j, tail, _mm256_add_ps(a, b));
        }
      }
    }
    for (; kk < w.k; ++kk) {
      const float* r0 = w.data + kk * ld + t0;
      for (int64_t i = 0; i < m; ++i) {
        const __m256 x0 = _mm256_broadcast_ss(x + i * ldx + kk);
        float* out = y + i * ldy + t0;
        int64_t j = 0;
        for (; j < full; j += 8)
          _mm256_storeu_ps(out + j, _mm256_fmadd_ps(_mm256_loadu_ps(r0 + j), x0, _mm256_loadu_ps(out + j)));
        if (j < width)
          _mm256_maskstore_ps(
              out + j, tail,
              _mm256_fmadd_ps(_mm256_maskload_ps(r0 + j, tail), x0, _mm256_maskload_ps(out + j, tail)));
      }
    }
  }
}

}  // namespace

void matmul(const float* x, int64_t m, const Weight& w, const float* bias, float* y, bool accumulate,
            int64_t ldx, int64_t ldy) {
  const bool parallel = w.n * w.k * m >= kParallelWork;
#pragma omp parallel if (parallel)
  {
    const int parts = omp_get_num_threads(), part = omp_get_thread_num();
    int64_t begin = 0, end = 0;
    if (w.layout == Layout::OutIn) {
      split(w.n, parts, part, 4, begin, end);
      out_in(x, m, w, bias, y, accumulate, ldx, ldy, begin, end);
    } else {
      split(w.n, parts, part, 16, begin, end);  // 64-byte lines: no false sharing of y
      in_out(x, m, w, bias, y, accumulate, ldx, ldy, begin, end);
    }
  }
}

}  // namespace nib::kernels::gemv
