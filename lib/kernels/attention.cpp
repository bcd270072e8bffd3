// Attention for one sequence, one (query, head) row at a time: scores over the visible key range
// (four keys per pass so each q vector load serves four dot products), softmax, then the weighted
// sum of V rows. Rows are spread over threads dynamically (causal rows differ in length); each
// thread owns one slice of the caller's scratch for its scores, so nothing is allocated.
#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <cmath>

#include "kernels/kernels.hpp"
#include "kernels/simd_avx2.hpp"
#include "kernels/softmax_row.hpp"

namespace nib::kernels {

namespace {

using std::int64_t;

int64_t scratch_slots() {
  return omp_get_num_procs();
}
int64_t scores_per_slot(const AttentionShape& s) {
  return (s.n_kv + 15) / 16 * 16;
}

void attend_row(const float* q, const float* k, const float* v, const AttentionShape& s, int64_t lo,
                int64_t hi, const std::uint8_t* key_mask, float scale, float* scores, float* out) {
  const int64_t hd = s.head_dim, ld = s.kv_stride;
  // Scores for keys lo..hi-1, stored at scores[0..n); masked keys get -inf (exp -> 0).
  const int64_t n = hi - lo;
  int64_t j = 0;
  for (; j + 4 <= n; j += 4) {
    const float* kj = k + (lo + j) * ld;
    _mm_storeu_ps(scores + j,
                  _mm_mul_ps(simd::dot4(q, kj, kj + ld, kj + 2 * ld, kj + 3 * ld, hd), _mm_set1_ps(scale)));
  }
  for (; j < n; ++j) scores[j] = simd::dot1(q, k + (lo + j) * ld, hd) * scale;
  if (key_mask)
    for (j = 0; j < n; ++j)
      if (!key_mask[lo + j]) scores[j] = -INFINITY;
  softmax_row(scores, n);
  // out = Σ p_j v_j, accumulated in place (q has been fully read, so out may alias q).
  std::fill(out, out + hd, 0.f);
  const int64_t full = hd / 8 * 8;
  const __m256i tail = simd::tail_mask(hd - full);
  for (j = 0; j < n; ++j) {
    if (scores[j] == 0.f) continue;
    const float* vj = v + (lo + j) * ld;
    const __m256 p = _mm256_set1_ps(scores[j]);
    int64_t d = 0;
    for (; d < full; d += 8)
      _mm256_storeu_ps(out + d, _mm256_fmadd_ps(p, _mm256_loadu_ps(vj + d), _mm256_loadu_ps(out + d)));
    if (d < hd)
      _mm256_maskstore_ps(
          out + d, tail,
          _mm256_fmadd_ps(p, _mm256_maskload_ps(vj + d, tail), _mm256_maskload_ps(out + d, tail)));
  }
}

}  // namespace

int64_t attention_scratch_floats(const AttentionShape& s) {
  return scratch_slots() * scores_per_slot(s);
}

void attention(const float* q, const float* k, const float* v, const AttentionShape& s, float* out,
               float* scratch, const std::uint8_t* key_mask) {
  if (s.n_q <= 0 || s.n_heads <= 0) return;
  const int64_t group = s.n_heads / s.n_kv_heads;
  const float scale = s.scale != 0.f ? s.scale : 1.f / std::sqrt(static_cast<float>(s.head_dim));
  const int64_t rows = s.n_q * s.n_heads;
  const int threads = static_cast<int>(std::min<int64_t>(num_threads(), scratch_slots()));
  const bool parallel = rows > 1 && rows * std::max<int64_t>(s.n_kv, 1) * s.head_dim >= (1 << 15);
#pragma omp parallel num_threads(threads) if (parallel)
  {
    float* scores = scratch + omp_get_thread_num() * scores_per_slot(s);
#pragma omp for schedule(dynamic, 4)
    for (int64_t r = 0; r < rows; ++r) {
      // Head-major order keeps one head's K/V hot in cache across consecutive queries.
      const int64_t h = r / s.n_q, i = r % s.n_q;
      const int64_t pos = s.q_pos0 + i;
      int64_t lo = 0, hi = s.n_kv;
      if (s.causal) hi = std::min(hi, pos + 1);
      if (s.window > 0) lo = std::max<int64_t>(0, pos - s.window + 1);
      float* o = out + i * s.out_stride + h * s.head_dim;
      if (lo >= hi) {
        std::fill(o, o + s.head_dim, 0.f);  // nothing visible: defined as zeros
        continue;
      }
      const int64_t kvh = h / group;
      attend_row(q + i * s.q_stride + h * s.head_dim, k + kvh * s.head_dim, v + kvh * s.head_dim, s, lo, hi,
                 key_mask, scale, scores, o);
    }
  }
}

}  // namespace nib::kernels
