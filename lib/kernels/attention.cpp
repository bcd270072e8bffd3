// Attention for one sequence. Decode and short chunks go one (query, head) row at a time: scores
// over the visible key range, softmax, then the weighted sum of V rows; a decode step's share
// (attention_rows) takes the heads of a GQA group together, reading their K and V once. Prefill and encoder
// batches go a block of queries of one head at a time as two single-threaded GEMMs (S = Q·Kᵀ, O = P·V) around
// a row softmax, which runs at GEMM speed instead of dot-product speed. Work items are spread over threads
// dynamically (causal rows differ in length); each thread owns one slice of the caller's scratch, so nothing
// is allocated. K and V may be f32 or f16 (an f16 KV cache): the row path widens them as it reads them, the
// block path widens the block's key range of one head into its scratch slot first (a 1/64 share of the GEMM
// work: each widened key serves a block of 64 queries).
#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <cmath>

#include "kernels/kernels.hpp"
#include "kernels/onednn_matmul.hpp"
#include "kernels/softmax_row.hpp"
#include "kernels/weight_simd.hpp"

namespace nib::kernels {

namespace {

using std::int64_t;

// Queries per GEMM block, and the fewest queries for which blocks beat the row path.
constexpr int64_t kBlockRows = 64;
constexpr int64_t kMinBlockQueries = 16;

int64_t scratch_slots() {
  return omp_get_num_procs();
}
int64_t block_rows(const AttentionShape& s) {
  return s.n_q >= kMinBlockQueries ? std::min(kBlockRows, s.n_q) : 1;
}
int64_t padded_kv(const AttentionShape& s) {
  return (s.n_kv + 15) / 16 * 16;
}
// Where kv head g's rows start.
int64_t kv_head_offset(const AttentionShape& s, int64_t g) {
  return g * (s.kv_head_stride != 0 ? s.kv_head_stride : s.head_dim);
}
int64_t heads_per_kv(const AttentionShape& s) {
  return s.n_kv_heads > 0 ? std::max<int64_t>(1, s.n_heads / s.n_kv_heads) : 1;
}
// Score rows: a block's queries, or a decode step's GQA group of heads. Monotone in n_q and n_kv, so
// a scratch sized for the largest shape serves every smaller call.
int64_t scores_per_slot(const AttentionShape& s) {
  return std::max(block_rows(s), heads_per_kv(s)) * padded_kv(s);
}
// Floats per thread's slot: the scores, and for f16 blocks the widened K and V of one head.
int64_t slot_floats(const AttentionShape& s, Storage kv) {
  const bool widen = kv != Storage::F32 && block_rows(s) > 1;
  return scores_per_slot(s) + (widen ? 2 * padded_kv(s) * s.head_dim : 0);
}

// Visible keys [lo, hi) of the query at absolute position pos.
void visible(const AttentionShape& s, int64_t pos, int64_t& lo, int64_t& hi) {
  lo = 0;
  hi = s.n_kv;
  if (s.causal) hi = std::min(hi, pos + 1);
  if (s.window > 0) lo = std::max<int64_t>(0, pos - s.window + 1);
}

// Keys per pass of attend_heads: a pass's K or V rows of one head (16 KB at head_dim 64) stay in L1
// while every head of a GQA group reads them. A multiple of dot4's four keys.
constexpr int64_t kKeyChunk = 64;

// f(c0, c1, h) for each chunk [c0, c1) of n keys, and within it for each head h < g: one chunk's K or
// V rows serve every head before the next chunk is read. Callers capture by value: captured by
// reference, scale and the strides were reloaded after every store (measured ~10% slower).
template <class F>
void each_chunk_and_head(int64_t n, int64_t g, F&& f) {
  for (int64_t c0 = 0; c0 < n; c0 += kKeyChunk)
    for (int64_t h = 0; h < g; ++h) f(c0, std::min(n, c0 + kKeyChunk), h);
}

// Heads 0..g-1 of one query, which share one KV head (their q and out rows are head_dim apart):
// scores over keys lo..hi-1 (four keys per pass so each q vector load serves four dot products),
// softmax, then the weighted sum of V rows. Keys are taken kKeyChunk at a time, each chunk for every
// head before the next, so a group reads its K and V from memory once; every head's arithmetic is
// that of g = 1, in the same order (a chunk's partial sums go through `out`, exactly).
// scores: g rows of s_ld floats. q has been fully read before out is written, so out may alias q.
template <Storage S>
void attend_heads(const float* q, const simd::Elem<S>* k, const simd::Elem<S>* v, const AttentionShape& s,
                  int64_t g, int64_t lo, int64_t hi, const std::uint8_t* key_mask, float scale, float* scores,
                  int64_t s_ld, float* out) {
  const int64_t hd = s.head_dim, ld = s.kv_stride, n = hi - lo;
  // Scores for keys lo..hi-1 at scores[h * s_ld + 0..n); masked keys get -inf (exp -> 0).
  each_chunk_and_head(n, g, [=](int64_t c0, int64_t c1, int64_t h) {
    const float* qh = q + h * hd;
    float* sc = scores + h * s_ld;
    int64_t j = c0;
    for (; j + 4 <= c1; j += 4) {
      const simd::Elem<S>* kj = k + (lo + j) * ld;
      _mm_storeu_ps(sc + j, _mm_mul_ps(simd::dot4<S>(qh, kj, kj + ld, kj + 2 * ld, kj + 3 * ld, hd),
                                       _mm_set1_ps(scale)));
    }
    for (; j < c1; ++j) sc[j] = simd::dot1<S>(qh, k + (lo + j) * ld, hd) * scale;
  });
  for (int64_t h = 0; h < g; ++h) {
    float* sc = scores + h * s_ld;
    if (key_mask)
      for (int64_t j = 0; j < n; ++j)
        if (!key_mask[lo + j]) sc[j] = -INFINITY;
    softmax_row(sc, n);
  }
  // out = Σ p_j v_j, summed over j in order: 64 columns at a time held in registers across a chunk
  // of keys, then any last columns accumulated in place.
  const int64_t wide = hd / 64 * 64;
  for (int64_t d0 = 0; d0 < wide; d0 += 64)
    each_chunk_and_head(n, g, [=](int64_t c0, int64_t c1, int64_t h) {
      const float* sc = scores + h * s_ld;
      float* o = out + h * hd + d0;
      __m256 acc[8];
      for (int i = 0; i < 8; ++i) acc[i] = c0 == 0 ? _mm256_setzero_ps() : _mm256_loadu_ps(o + 8 * i);
      for (int64_t j = c0; j < c1; ++j) {
        if (sc[j] == 0.f) continue;
        const simd::Elem<S>* vj = v + (lo + j) * ld + d0;
        const __m256 p = _mm256_set1_ps(sc[j]);
        for (int i = 0; i < 8; ++i) acc[i] = _mm256_fmadd_ps(p, simd::load8<S>(vj + 8 * i), acc[i]);
      }
      for (int i = 0; i < 8; ++i) _mm256_storeu_ps(o + 8 * i, acc[i]);
    });
  if (wide == hd) return;
  for (int64_t h = 0; h < g; ++h) std::fill(out + h * hd + wide, out + (h + 1) * hd, 0.f);
  const int64_t full = hd / 8 * 8;
  const __m256i tail = simd::tail_mask(hd - full);
  each_chunk_and_head(n, g, [=](int64_t c0, int64_t c1, int64_t h) {
    const float* sc = scores + h * s_ld;
    float* o = out + h * hd;
    for (int64_t j = c0; j < c1; ++j) {
      if (sc[j] == 0.f) continue;
      const simd::Elem<S>* vj = v + (lo + j) * ld;
      const __m256 p = _mm256_set1_ps(sc[j]);
      int64_t d = wide;
      for (; d < full; d += 8)
        _mm256_storeu_ps(o + d, _mm256_fmadd_ps(p, simd::load8<S>(vj + d), _mm256_loadu_ps(o + d)));
      if (d < hd)
        _mm256_maskstore_ps(
            o + d, tail,
            _mm256_fmadd_ps(p, simd::load_tail<S>(vj + d, hd - d), _mm256_maskload_ps(o + d, tail)));
    }
  });
}

// Queries i0..i1-1 of head h: S = scale·Q·Kᵀ over the keys any of them sees, each row's softmax over
// its own visible keys (zeros elsewhere), then O = P·V.
// f16 keys and values are first widened into `widened` (2·padded_kv·head_dim floats).
template <Storage S>
void attend_block(const float* q, const simd::Elem<S>* k, const simd::Elem<S>* v, const AttentionShape& s,
                  int64_t h, int64_t i0, int64_t i1, const std::uint8_t* key_mask, float scale, float* scores,
                  [[maybe_unused]] float* widened, float* out) {
  const int64_t hd = s.head_dim, kvh = h / heads_per_kv(s), rows = i1 - i0;
  int64_t klo = 0, khi = 0, lo = 0, hi = 0;
  visible(s, s.q_pos0 + i0, klo, hi);
  visible(s, s.q_pos0 + i1 - 1, lo, khi);
  float* o = out + i0 * s.out_stride + h * hd;
  if (klo >= khi) {
    for (int64_t i = 0; i < rows; ++i) std::fill(o + i * s.out_stride, o + i * s.out_stride + hd, 0.f);
    return;
  }
  const int64_t width = khi - klo, ld = padded_kv(s);
  const float *kb, *vb;
  int64_t kv_ld = s.kv_stride;
  if constexpr (S == Storage::F32) {
    const int64_t at = klo * s.kv_stride + kv_head_offset(s, kvh);
    kb = k + at;
    vb = v + at;
  } else {
    float* wk = widened;
    float* wv = widened + ld * hd;
    for (int64_t j = 0; j < width; ++j) {
      const int64_t at = (klo + j) * s.kv_stride + kv_head_offset(s, kvh);
      f16_to_f32(k + at, wk + j * hd, hd);
      f16_to_f32(v + at, wv + j * hd, hd);
    }
    kb = wk;
    vb = wv;
    kv_ld = hd;
  }
  onednn::sgemm(q + i0 * s.q_stride + h * hd, s.q_stride, kb, kv_ld, true, scores, ld, rows, width, hd, scale,
                0.f);
  for (int64_t i = 0; i < rows; ++i) {
    float* row = scores + i * ld;
    visible(s, s.q_pos0 + i0 + i, lo, hi);
    lo = std::max(lo, klo) - klo;
    hi = std::min(hi, khi) - klo;
    if (key_mask)
      for (int64_t j = lo; j < hi; ++j)
        if (!key_mask[klo + j]) row[j] = -INFINITY;
    if (lo >= hi) {
      std::fill(row, row + width, 0.f);
      continue;
    }
    std::fill(row, row + lo, 0.f);
    std::fill(row + hi, row + width, 0.f);
    softmax_row(row + lo, hi - lo);
  }
  onednn::sgemm(scores, ld, vb, kv_ld, false, o, s.out_stride, rows, hd, width, 1.f, 0.f);
}

// Heads h0..h1-1 of query i, which share one KV head.
template <Storage S>
void heads_of(const float* q, const simd::Elem<S>* k, const simd::Elem<S>* v, const AttentionShape& s,
              int64_t i, int64_t h0, int64_t h1, const std::uint8_t* key_mask, float scale, float* scores,
              float* out) {
  int64_t lo = 0, hi = 0;
  visible(s, s.q_pos0 + i, lo, hi);
  float* o = out + i * s.out_stride + h0 * s.head_dim;
  if (lo >= hi) {
    std::fill(o, o + (h1 - h0) * s.head_dim, 0.f);  // nothing visible: defined as zeros
    return;
  }
  const int64_t at = kv_head_offset(s, h0 / heads_per_kv(s));
  attend_heads<S>(q + i * s.q_stride + h0 * s.head_dim, k + at, v + at, s, h1 - h0, lo, hi, key_mask, scale,
                  scores, padded_kv(s), o);
}

// Row r = h · n_q + i (head-major: one head's K/V stays hot in cache across consecutive queries).
template <Storage S>
void row_of(const float* q, const simd::Elem<S>* k, const simd::Elem<S>* v, const AttentionShape& s,
            int64_t r, const std::uint8_t* key_mask, float scale, float* scores, float* out) {
  const int64_t h = r / s.n_q;
  heads_of<S>(q, k, v, s, r % s.n_q, h, h + 1, key_mask, scale, scores, out);
}

float scale_of(const AttentionShape& s) {
  return s.scale != 0.f ? s.scale : 1.f / std::sqrt(static_cast<float>(s.head_dim));
}

template <Storage S>
void rows_impl(const float* q, const simd::Elem<S>* k, const simd::Elem<S>* v, const AttentionShape& s,
               float* out, float* scratch, int slot, int64_t r0, int64_t r1) {
  float* scores = scratch + slot * slot_floats(s, S);
  if (s.n_q == 1) {  // a decode step: the heads of each GQA group in [r0, r1) together
    for (int64_t h = r0; h < r1;) {
      const int64_t end = std::min(r1, (h / heads_per_kv(s) + 1) * heads_per_kv(s));
      heads_of<S>(q, k, v, s, 0, h, end, nullptr, scale_of(s), scores, out);
      h = end;
    }
    return;
  }
  for (int64_t r = r0; r < r1; ++r) row_of<S>(q, k, v, s, r, nullptr, scale_of(s), scores, out);
}

template <Storage S>
void attention_impl(const float* q, const simd::Elem<S>* k, const simd::Elem<S>* v, const AttentionShape& s,
                    float* out, float* scratch, const std::uint8_t* key_mask) {
  if (s.n_q <= 0 || s.n_heads <= 0) return;
  const float scale = scale_of(s);
  const int threads = static_cast<int>(std::min<int64_t>(num_threads(), scratch_slots()));
  if (block_rows(s) > 1) {
    const int64_t per_head = (s.n_q + kBlockRows - 1) / kBlockRows, items = per_head * s.n_heads;
#pragma omp parallel num_threads(threads)
    {
      // oneDNN's sgemm runs single-threaded inside this parallel region.
      float* scores = scratch + omp_get_thread_num() * slot_floats(s, S);
#pragma omp for schedule(dynamic, 1)
      for (int64_t it = 0; it < items; ++it) {
        // Later query blocks see more keys (causal): hand them out first.
        const int64_t b = per_head - 1 - it / s.n_heads, h = it % s.n_heads;
        attend_block<S>(q, k, v, s, h, b * kBlockRows, std::min(s.n_q, (b + 1) * kBlockRows), key_mask, scale,
                        scores, scores + scores_per_slot(s), out);
      }
    }
    return;
  }
  const int64_t rows = s.n_q * s.n_heads;
  const bool parallel = rows > 1 && rows * std::max<int64_t>(s.n_kv, 1) * s.head_dim >= (1 << 15);
#pragma omp parallel num_threads(threads) if (parallel)
  {
    float* scores = scratch + omp_get_thread_num() * slot_floats(s, S);
#pragma omp for schedule(dynamic, 4)
    for (int64_t r = 0; r < rows; ++r) row_of<S>(q, k, v, s, r, key_mask, scale, scores, out);
  }
}

}  // namespace

int64_t attention_scratch_floats(const AttentionShape& s, Storage kv) {
  return scratch_slots() * slot_floats(s, kv);
}

int attention_slots() {
  return static_cast<int>(scratch_slots());
}

void attention_rows(const float* q, const float* k, const float* v, const AttentionShape& s, float* out,
                    float* scratch, int slot, int64_t r0, int64_t r1) {
  rows_impl<Storage::F32>(q, k, v, s, out, scratch, slot, r0, r1);
}

void attention_rows(const float* q, const std::uint16_t* k, const std::uint16_t* v, const AttentionShape& s,
                    float* out, float* scratch, int slot, int64_t r0, int64_t r1) {
  rows_impl<Storage::F16>(q, k, v, s, out, scratch, slot, r0, r1);
}

void attention(const float* q, const float* k, const float* v, const AttentionShape& s, float* out,
               float* scratch, const std::uint8_t* key_mask) {
  attention_impl<Storage::F32>(q, k, v, s, out, scratch, key_mask);
}

void attention(const float* q, const std::uint16_t* k, const std::uint16_t* v, const AttentionShape& s,
               float* out, float* scratch, const std::uint8_t* key_mask) {
  attention_impl<Storage::F16>(q, k, v, s, out, scratch, key_mask);
}

}  // namespace nib::kernels
