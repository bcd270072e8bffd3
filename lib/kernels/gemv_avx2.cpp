#include "kernels/gemv_avx2.hpp"

#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include <nib/error.hpp>

#include "kernels/cpu_isa.hpp"
#include "kernels/gemv_avx512.hpp"
#include "kernels/int8_quantize.hpp"
#include "kernels/row_queue.hpp"
#include "kernels/weight_simd.hpp"

namespace nib::kernels::gemv {

namespace {

using std::int64_t;

// Below this many multiply-adds a parallel region costs more than it saves.
constexpr int64_t kParallelWork = 1 << 15;

// y[r] = sums[r] + bias[r] (y[r] += … with acc) for r < count; bias may be null. The caller offsets
// y and bias to the first output.
void store_sums(const float* sums, int count, const float* bias, float* y, bool acc) {
  for (int r = 0; r < count; ++r) {
    const float v = sums[r] + (bias ? bias[r] : 0.f);
    y[r] = acc ? y[r] + v : v;
  }
}

// Dot products of rows r, r+k, r+2k, r+3k with two x rows at once: each W load feeds two FMAs, which
// keeps M = 2..4 close to the cost of M = 1 (the loads, not the FMAs, are the limit).
template <Storage S>
inline void dot4x2(const float* xa, const float* xb, const simd::Elem<S>* r, int64_t k, __m128& sa,
                   __m128& sb) {
  __m256 a[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
  __m256 b[4] = {a[0], a[0], a[0], a[0]};
  // `load` by reference: a lambda holding an AVX mask passed by value trips clang's -Wpsabi.
  auto step = [&](__m256 va, __m256 vb, const auto& load) {
    for (int j = 0; j < 4; ++j) {
      const __m256 wv = load(r + j * k);
      a[j] = _mm256_fmadd_ps(wv, va, a[j]);
      b[j] = _mm256_fmadd_ps(wv, vb, b[j]);
    }
  };
  int64_t i = 0;
  for (; i + 8 <= k; i += 8)
    step(_mm256_loadu_ps(xa + i), _mm256_loadu_ps(xb + i),
         [i](const simd::Elem<S>* p) { return simd::load8<S>(p + i); });
  if (i < k) {
    const __m256i m = simd::tail_mask(k - i);
    step(_mm256_maskload_ps(xa + i, m), _mm256_maskload_ps(xb + i, m),
         [i, k](const simd::Elem<S>* p) { return simd::load_tail<S>(p + i, k - i); });
  }
  auto reduce = [](const __m256* v) {
    const __m256 s = _mm256_hadd_ps(_mm256_hadd_ps(v[0], v[1]), _mm256_hadd_ps(v[2], v[3]));
    return _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
  };
  sa = reduce(a);
  sb = reduce(b);
}

// bf16 at M = 1 without widening each element: 16 bf16 read as 8 u32 lanes hold an even element in
// the low half and an odd one in the high half, so `lane << 16` is the even element as f32 and
// `lane & 0xffff0000` the odd one (both exact). x is deinterleaved to match (xp: per 16 elements, the
// 8 even then the 8 odd), halving the instructions per weight of the widening loads.
void deinterleave16(const float* x, int64_t k16, float* xp) {
  for (int64_t j = 0; j < k16; j += 16)
    for (int64_t i = 0; i < 8; ++i) {
      xp[j + i] = x[j + 2 * i];
      xp[j + 8 + i] = x[j + 2 * i + 1];
    }
}

template <int R>
inline void bf16_pair_dots(const float* x, const float* xp, const std::uint16_t* r, int64_t k, float* out) {
  const __m256i high = _mm256_set1_epi32(static_cast<int>(0xffff0000u));
  __m256 a[R], b[R];
  for (int j = 0; j < R; ++j) a[j] = b[j] = _mm256_setzero_ps();
  const int64_t k16 = k / 16 * 16;
  for (int64_t i = 0; i < k16; i += 16) {
    const __m256 xe = _mm256_loadu_ps(xp + i), xo = _mm256_loadu_ps(xp + i + 8);
    for (int j = 0; j < R; ++j) {
      // The same columns of the next group of R rows, one 64-byte line per two steps: each row is too
      // short for the hardware prefetcher to get ahead of R interleaved streams.
      if ((i & 31) == 0) _mm_prefetch(reinterpret_cast<const char*>(r + (j + R) * k + i), _MM_HINT_T0);
      const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(r + j * k + i));
      a[j] = _mm256_fmadd_ps(_mm256_castsi256_ps(_mm256_slli_epi32(v, 16)), xe, a[j]);
      b[j] = _mm256_fmadd_ps(_mm256_castsi256_ps(_mm256_and_si256(v, high)), xo, b[j]);
    }
  }
  for (int j = 0; j < R; ++j) {
    float tail = 0.f;
    if (k16 < k) tail = simd::dot1<Storage::BF16>(x + k16, r + j * k + k16, k - k16);
    out[j] = simd::hsum(_mm256_add_ps(a[j], b[j])) + tail;
  }
}

// x deinterleaved for bf16_pair_dots into buf (grown on first use).
const float* deinterleaved(const float* x, int64_t k, std::vector<float>& buf) {
  const int64_t k16 = k / 16 * 16;
  if (static_cast<int64_t>(buf.size()) < k16) buf.resize(static_cast<std::size_t>(k16));
  deinterleave16(x, k16, buf.data());
  return buf.data();
}

// OutIn bf16 rows [n0, n1) at M = 1 (see bf16_pair_dots), xp: x deinterleaved.
void bf16_out_in_m1(const float* x, const float* xp, const Weight& w, const float* bias, float* y, bool acc,
                    int64_t n0, int64_t n1) {
  const int64_t k = w.k;
  const auto* data = static_cast<const std::uint16_t*>(w.data);
  float sums[4];
  auto store = [&](int64_t n, int count) { store_sums(sums, count, bias ? bias + n : nullptr, y + n, acc); };
  int64_t n = n0;
  for (; n + 4 <= n1; n += 4) {
    bf16_pair_dots<4>(x, xp, data + n * k, k, sums);
    store(n, 4);
  }
  for (; n < n1; ++n) {
    bf16_pair_dots<1>(x, xp, data + n * k, k, sums);
    store(n, 1);
  }
}

// OutIn ([N, K] rows): output n is a dot product with row n. Four rows at a time are read once from
// memory and then reused from cache for every x row (two x rows per pass).
template <Storage S>
void out_in(const float* x, int64_t m, const Weight& w, const float* bias, float* y, bool acc, int64_t ldx,
            int64_t ldy, int64_t n0, int64_t n1) {
  const int64_t k = w.k;
  const auto* data = static_cast<const simd::Elem<S>*>(w.data);
  int64_t n = n0;
  for (; n + 4 <= n1; n += 4) {
    const simd::Elem<S>* r = data + n * k;
    const __m128 b = bias ? _mm_loadu_ps(bias + n) : _mm_setzero_ps();
    auto store = [&](int64_t i, __m128 s) {
      float* out = y + i * ldy + n;
      s = _mm_add_ps(s, b);
      if (acc) s = _mm_add_ps(s, _mm_loadu_ps(out));
      _mm_storeu_ps(out, s);
    };
    int64_t i = 0;
    for (; i + 2 <= m; i += 2) {
      __m128 sa, sb;
      dot4x2<S>(x + i * ldx, x + (i + 1) * ldx, r, k, sa, sb);
      store(i, sa);
      store(i + 1, sb);
    }
    if (i < m) store(i, simd::dot4<S>(x + i * ldx, r, r + k, r + 2 * k, r + 3 * k, k, m == 1 ? 4 * k : 0));
  }
  for (; n < n1; ++n) {
    for (int64_t i = 0; i < m; ++i) {
      float s = simd::dot1<S>(x + i * ldx, data + n * k, k) + (bias ? bias[n] : 0.f);
      float& out = y[i * ldy + n];
      out = acc ? out + s : s;
    }
  }
}

// InOut ([K, N] rows): y[i, :] += x[i, k] · W[k, :]. Each thread owns a column range, walked in
// tiles of contiguous row segments; the y tile stays in L1/L2 while four W rows at a time stream by.
template <Storage S>
void in_out(const float* x, int64_t m, const Weight& w, const float* bias, float* y, bool acc, int64_t ldx,
            int64_t ldy, int64_t c0, int64_t c1, int64_t kTile = 2048) {
  const int64_t ld = w.n;
  const auto* data = static_cast<const simd::Elem<S>*>(w.data);
  auto load = [](const simd::Elem<S>* p) { return simd::load8<S>(p); };
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
      const simd::Elem<S>* r0 = data + kk * ld + t0;
      const simd::Elem<S>* r1 = r0 + ld;
      const simd::Elem<S>* r2 = r1 + ld;
      const simd::Elem<S>* r3 = r2 + ld;
      for (int64_t i = 0; i < m; ++i) {
        const float* xi = x + i * ldx + kk;
        const __m256 x0 = _mm256_broadcast_ss(xi), x1 = _mm256_broadcast_ss(xi + 1);
        const __m256 x2 = _mm256_broadcast_ss(xi + 2), x3 = _mm256_broadcast_ss(xi + 3);
        float* out = y + i * ldy + t0;
        int64_t j = 0;
        for (; j < full; j += 8) {
          __m256 a = _mm256_fmadd_ps(load(r0 + j), x0, _mm256_loadu_ps(out + j));
          __m256 b = _mm256_mul_ps(load(r1 + j), x1);
          a = _mm256_fmadd_ps(load(r2 + j), x2, a);
          b = _mm256_fmadd_ps(load(r3 + j), x3, b);
          _mm256_storeu_ps(out + j, _mm256_add_ps(a, b));
        }
        if (j < width) {
          const int64_t left = width - j;
          __m256 a = _mm256_fmadd_ps(simd::load_tail<S>(r0 + j, left), x0, _mm256_maskload_ps(out + j, tail));
          __m256 b = _mm256_mul_ps(simd::load_tail<S>(r1 + j, left), x1);
          a = _mm256_fmadd_ps(simd::load_tail<S>(r2 + j, left), x2, a);
          b = _mm256_fmadd_ps(simd::load_tail<S>(r3 + j, left), x3, b);
          _mm256_maskstore_ps(out + j, tail, _mm256_add_ps(a, b));
        }
      }
    }
    for (; kk < w.k; ++kk) {
      const simd::Elem<S>* r0 = data + kk * ld + t0;
      for (int64_t i = 0; i < m; ++i) {
        const __m256 x0 = _mm256_broadcast_ss(x + i * ldx + kk);
        float* out = y + i * ldy + t0;
        int64_t j = 0;
        for (; j < full; j += 8)
          _mm256_storeu_ps(out + j, _mm256_fmadd_ps(load(r0 + j), x0, _mm256_loadu_ps(out + j)));
        if (j < width)
          _mm256_maskstore_ps(
              out + j, tail,
              _mm256_fmadd_ps(simd::load_tail<S>(r0 + j, width - j), x0, _mm256_maskload_ps(out + j, tail)));
      }
    }
  }
}

// M = 1 InOut over whole rows: out[0, n) += Σ_k x[k] · W[k, :] for the `rows` rows at w (row stride n).
// The rows are one contiguous stream, read R rows at a time (one y load/store per R weight vectors),
// each step prefetching the same columns of the next R rows: a row of n elements is too short for the
// hardware prefetcher to get ahead of R interleaved streams.
template <Storage S, int R>
void in_out_rows(const float* x, const simd::Elem<S>* w, int64_t rows, int64_t n, float* out) {
  constexpr int kLine = 64 / sizeof(simd::Elem<S>);  // elements per 64-byte line
  int64_t g = 0;
  for (; g + R <= rows; g += R) {
    const simd::Elem<S>* r = w + g * n;
    __m256 xv[R];
    for (int i = 0; i < R; ++i) xv[i] = _mm256_broadcast_ss(x + g + i);
    int64_t j = 0;
    for (; j + 16 <= n; j += 16) {
      if (S == Storage::F32 || (j & (kLine - 1)) == 0)
        for (int i = 0; i < R; ++i)
          _mm_prefetch(reinterpret_cast<const char*>(r + (i + R) * n + j), _MM_HINT_T0);
      __m256 a = _mm256_loadu_ps(out + j), b = _mm256_loadu_ps(out + j + 8);
      for (int i = 0; i < R; ++i) {
        a = _mm256_fmadd_ps(simd::load8<S>(r + i * n + j), xv[i], a);
        b = _mm256_fmadd_ps(simd::load8<S>(r + i * n + j + 8), xv[i], b);
      }
      _mm256_storeu_ps(out + j, a);
      _mm256_storeu_ps(out + j + 8, b);
    }
    for (; j < n; j += 8) {
      const int64_t left = std::min<int64_t>(8, n - j);
      const __m256i m = simd::tail_mask(left);
      __m256 a = _mm256_maskload_ps(out + j, m);
      for (int i = 0; i < R; ++i) a = _mm256_fmadd_ps(simd::load_tail<S>(r + i * n + j, left), xv[i], a);
      _mm256_maskstore_ps(out + j, m, a);
    }
  }
  if constexpr (R > 1)
    if (g < rows) in_out_rows<S, 1>(x + g, w + g * n, rows - g, n, out);
}

// x quantised per block of 32 (xs: the blocks' scales, xsum: the sums of their codes), xq
// zero-padded to whole blocks.
void quantize_x(const float* x, int64_t k, std::int8_t* xq, float* xs, std::int32_t* xsum) {
  const int64_t blocks = int8_blocks(k);
  std::fill(xq + k, xq + blocks * kInt8Block, std::int8_t{0});
  for (int64_t b = 0; b < blocks; ++b) {
    const int64_t begin = b * kInt8Block, end = std::min(k, begin + kInt8Block);
    xs[b] = quantize_symmetric(x + begin, end - begin, xq + begin);
    std::int32_t sum = 0;
    for (int64_t c = begin; c < end; ++c) sum += xq[c];
    xsum[b] = sum;
  }
}

// The 16 row sums of one int8 row group (see quantized_group_bytes): per
// block, each 32-byte half (8 rows × 4 inputs) against x's 4 codes broadcast, |w| (u8) times
// x·sign(w) (s8) with maddubs (pairs of products fit i16: 2·127² < 2^15), summed to i32 per row with
// madd; then the block's i32 sums scaled by the rows' scales · xs in f32.
void int8_group(const std::int8_t* xq, const float* xs, const std::int8_t* group, int64_t blocks,
                float* sums) {
  const __m256i ones = _mm256_set1_epi16(1);
  __m256 acc0 = _mm256_setzero_ps(), acc1 = acc0;
  for (int64_t b = 0; b < blocks; ++b) {
    const std::int8_t* t = group + quantized_codes_at(Storage::Int8, b);
    const std::uint16_t* s = block_scales(group, Storage::Int8, blocks, b);
    __m256i d0 = _mm256_setzero_si256(), d1 = d0;
    for (int j = 0; j < kInt8Block / 4; ++j) {
      std::int32_t x4;
      std::memcpy(&x4, xq + b * kInt8Block + 4 * j, sizeof x4);
      const __m256i xv = _mm256_set1_epi32(x4);
      const __m256i w0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(t + 64 * j));
      const __m256i w1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(t + 64 * j + 32));
      d0 = _mm256_add_epi32(
          d0, _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_abs_epi8(w0), _mm256_sign_epi8(xv, w0)), ones));
      d1 = _mm256_add_epi32(
          d1, _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_abs_epi8(w1), _mm256_sign_epi8(xv, w1)), ones));
    }
    const __m256 xsb = _mm256_set1_ps(xs[b]);
    acc0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(d0), _mm256_mul_ps(simd::load8<Storage::F16>(s), xsb), acc0);
    acc1 =
        _mm256_fmadd_ps(_mm256_cvtepi32_ps(d1), _mm256_mul_ps(simd::load8<Storage::F16>(s + 8), xsb), acc1);
  }
  _mm256_storeu_ps(sums, acc0);
  _mm256_storeu_ps(sums + 8, acc1);
}

// The 16 row sums of one int4 row group (see int4_code_byte): per
// block, each chunk's low and high nibbles (u8 codes 0..15) against x's 4 codes of their inputs
// broadcast, with maddubs. A block's 8 products per i16 lane stay below 2^15 (8 · 2 · 15 · 127),
// so they are summed in i16 and widened once with madd; Σ(code − 8)·x = Σ code·x − 8·Σx.
void int4_group(const std::int8_t* xq, const float* xs, const std::int32_t* xsum, const std::uint8_t* group,
                int64_t blocks, float* sums) {
  const __m256i ones = _mm256_set1_epi16(1), nibble = _mm256_set1_epi8(15);
  __m256 acc0 = _mm256_setzero_ps(), acc1 = acc0;
  for (int64_t b = 0; b < blocks; ++b) {
    const std::uint8_t* t = group + quantized_codes_at(Storage::Int4, b);
    const std::uint16_t* s = block_scales(group, Storage::Int4, blocks, b);
    __m256i p0 = _mm256_setzero_si256(), p1 = p0;  // rows 0-7 and 8-15
    const std::int8_t* xb = xq + b * kInt8Block;
    for (int j = 0; j < 4; ++j) {
      std::int32_t lo4, hi4;
      std::memcpy(&lo4, xb + 4 * j, sizeof lo4);
      std::memcpy(&hi4, xb + 16 + 4 * j, sizeof hi4);
      const __m256i xlo = _mm256_set1_epi32(lo4), xhi = _mm256_set1_epi32(hi4);
      const __m256i w0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(t + 64 * j));
      const __m256i w1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(t + 64 * j + 32));
      auto products = [&](__m256i w) {
        return _mm256_add_epi16(_mm256_maddubs_epi16(_mm256_and_si256(w, nibble), xlo),
                                _mm256_maddubs_epi16(_mm256_and_si256(_mm256_srli_epi16(w, 4), nibble), xhi));
      };
      p0 = _mm256_add_epi16(p0, products(w0));
      p1 = _mm256_add_epi16(p1, products(w1));
    }
    const __m256i offset = _mm256_set1_epi32(8 * xsum[b]);
    const __m256i d0 = _mm256_sub_epi32(_mm256_madd_epi16(p0, ones), offset);
    const __m256i d1 = _mm256_sub_epi32(_mm256_madd_epi16(p1, ones), offset);
    const __m256 xsb = _mm256_set1_ps(xs[b]);
    acc0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(d0), _mm256_mul_ps(simd::load8<Storage::F16>(s), xsb), acc0);
    acc1 =
        _mm256_fmadd_ps(_mm256_cvtepi32_ps(d1), _mm256_mul_ps(simd::load8<Storage::F16>(s + 8), xsb), acc1);
  }
  _mm256_storeu_ps(sums, acc0);
  _mm256_storeu_ps(sums + 8, acc1);
}

// x rows quantised for the int8 and int4 kernels, in buffers that grow on first use and are then
// reused. The MatvecInput returned holds row i's codes at xq + i·blocks·kInt8Block and its scales and
// code sums at xs, xsum + i·blocks (blocks = int8_blocks(k)).
struct QuantizedRows {
  std::vector<std::int8_t> xq;
  std::vector<float> xs;
  std::vector<std::int32_t> xsum;
  MatvecInput quantize(const float* x, int64_t m, int64_t k, int64_t ldx) {
    const int64_t blocks = int8_blocks(k);
    const auto count = static_cast<std::size_t>(m * blocks);
    if (xs.size() < count) {
      xq.resize(count * kInt8Block);
      xs.resize(count);
      xsum.resize(count);
    }
    for (int64_t i = 0; i < m; ++i)
      quantize_x(x + i * ldx, k, xq.data() + i * blocks * kInt8Block, xs.data() + i * blocks,
                 xsum.data() + i * blocks);
    return {x, k, xq.data(), xs.data(), xsum.data()};
  }
};

// Int8 or int4 rows [n0, n1) of m quantised x rows (see QuantizedRows): the row groups that hold
// them, whole (a group split between callers is computed by each; only its own rows are stored). Each
// group is read from memory once and then from L1 for every further x row, so a short prompt
// costs little more than one decode step. Every row's sums are exactly its M = 1 sums.
void quantized_rows(const MatvecInput& in, int64_t m, const Weight& w, const float* bias, float* y, bool acc,
                    int64_t ldy, int64_t n0, int64_t n1) {
  const int64_t blocks = int8_blocks(w.k);
  const auto* q = static_cast<const std::int8_t*>(w.data);
  const bool vnni = active_isa() == Isa::Avx512Vnni, int4 = w.storage == Storage::Int4;
  const int64_t group_bytes = quantized_group_bytes(w.storage, blocks);
  for (int64_t g = n0 / kInt8Rows; g * kInt8Rows < n1; ++g) {
    const std::int8_t* t = q + g * group_bytes;
    const auto* pairs = reinterpret_cast<const std::uint8_t*>(t);
    const int64_t r0 = std::max(n0, g * kInt8Rows), r1 = std::min(n1, (g + 1) * kInt8Rows);
    int64_t i = 0;
    auto row = [&](int64_t r) {
      return MatvecInput{nullptr, w.k, in.xq + r * blocks * kInt8Block, in.xs + r * blocks,
                         in.xsum + r * blocks};
    };
    auto store = [&](const float* sums, int64_t r) {
      store_sums(sums + (r0 - g * kInt8Rows), static_cast<int>(r1 - r0), bias ? bias + r0 : nullptr,
                 y + r * ldy + r0, acc);
    };
    if (int4 && vnni)  // two rows per pass, each chunk unpacked once: prefill 128-512 tokens +22-35%
      for (; i + 2 <= m; i += 2) {
        alignas(64) float s0[kInt8Rows], s1[kInt8Rows];
        avx512::int4_group2(row(i), row(i + 1), pairs, blocks, s0, s1);
        store(s0, i);
        store(s1, i + 1);
      }
    for (; i < m; ++i) {
      const MatvecInput x = row(i);
      alignas(64) float sums[kInt8Rows];
      if (int4 && vnni)
        avx512::int4_group(x, pairs, blocks, sums);
      else if (int4)
        int4_group(x.xq, x.xs, x.xsum, pairs, blocks, sums);
      else if (vnni)
        avx512::int8_group(x.xq, x.xs, x.xsum, t, blocks, sums);
      else
        int8_group(x.xq, x.xs, t, blocks, sums);
      store(sums, i);
    }
  }
}

// OutIn 16- or 32-bit output rows [n0, n1), the kernel per storage type.
template <Storage S>
void out_in_rows(const float* x, int64_t m, const Weight& w, const float* bias, float* y, bool acc,
                 int64_t ldx, int64_t ldy, int64_t n0, int64_t n1) {
  thread_local std::vector<float> xp;  // not matvec_input's: an input stays valid across these calls
  if (S == Storage::BF16 && m == 1)
    bf16_out_in_m1(x, deinterleaved(x, w.k, xp), w, bias, y, acc, n0, n1);
  else
    out_in<S>(x, m, w, bias, y, acc, ldx, ldy, n0, n1);
}

// Widest InOut output (floats) whose rows one thread walks whole (its y stays in L1/L2).
constexpr int64_t kRowSplitMaxN = 8192;
// Rows per group of in_out_rows (8 measured no faster, from memory or from cache).
constexpr int kInOutRows = 4;

bool row_split(int64_t m, const Weight& w) {
  return m == 1 && w.layout == Layout::InOut && w.n <= kRowSplitMaxN;
}

// out[0, n) = Σ x[k] · W[k, :] over the InOut rows of block b (kernels::matvec_partial).
template <Storage S>
void in_out_partial(const float* x, const Weight& w, int64_t b, float* out) {
  const int64_t k0 = b * kPartialRows, k1 = std::min(w.k, k0 + kPartialRows);
  std::fill(out, out + w.n, 0.f);
  in_out_rows<S, kInOutRows>(x + k0, static_cast<const simd::Elem<S>*>(w.data) + k0 * w.n, k1 - k0, w.n, out);
}

// This thread's part of y = x·Wᵀ (+ bias), as thread `part` of `parts`. OutIn splits the outputs;
// int8 and int4 weights take x's rows quantised by the caller (qx, see QuantizedRows).
// InOut at M = 1 splits the K rows instead, so each thread streams contiguous blocks of the weights
// (split by columns, every thread reads row segments with holes, which the prefetchers follow
// poorly): the threads write each block's partial sums to partials[block·N ..] and, after a
// barrier, each adds up a column slice in block order. With a queue, threads take the outputs (or
// blocks) from it, their own share first; without, each computes its share.
template <Storage S>
void run_part(const float* x, const MatvecInput& qx, int64_t m, const Weight& w, const float* bias, float* y,
              bool acc, int64_t ldx, int64_t ldy, int parts, int part, float* partials, RowQueue* queue) {
  auto each = [&](const RowSplit& split, auto&& work) {
    int64_t r0, r1;
    if (!queue) {
      share(split.n, parts, part, split.align, r0, r1);
      if (r0 < r1) work(r0, r1);
      return;
    }
    queue->take(split, parts, part, work);
  };
  if (w.layout == Layout::OutIn) {
    const RowSplit outputs{w.n, kGemvRowAlign,
                           row_chunk(weight_bytes(w) / std::max<int64_t>(1, w.n), kGemvRowAlign)};
    if constexpr (quantized(S))
      return each(outputs,
                  [&](int64_t r0, int64_t r1) { quantized_rows(qx, m, w, bias, y, acc, ldy, r0, r1); });
    if (m != 1)
      return each(outputs,
                  [&](int64_t r0, int64_t r1) { out_in_rows<S>(x, m, w, bias, y, acc, ldx, ldy, r0, r1); });
    const MatvecInput in = input(x, w.k, S);  // prepared once for all its rows
    each(outputs, [&](int64_t r0, int64_t r1) { rows(in, w, bias, y, acc, r0, r1); });
  } else if constexpr (!quantized(S)) {  // int8 and int4 weights are always OutIn (pack_weight)
    int64_t begin = 0, end = 0;
    if (!row_split(m, w)) {
      share(w.n, parts, part, 16, begin, end);  // 64-byte lines: no false sharing of y
      in_out<S>(x, m, w, bias, y, acc, ldx, ldy, begin, end);
    } else {
      const int64_t n = w.n;
      each(RowSplit{w.k, kPartialRows, 1}, [&](int64_t r0, int64_t r1) {
        for (int64_t b = r0 / kPartialRows; b * kPartialRows < r1; ++b)
          in_out_partial<S>(x, w, b, partials + b * n);
      });
#pragma omp barrier
      share(n, parts, part, 16, begin, end);
      sum_partials(partials + begin, n, partial_blocks(w), bias ? bias + begin : nullptr, y + begin, acc,
                   end - begin);
    }
  }
}

void run_part(const float* x, const MatvecInput& qx, int64_t m, const Weight& w, const float* bias, float* y,
              bool acc, int64_t ldx, int64_t ldy, int parts, int part, float* partials, RowQueue* queue) {
  switch (w.storage) {
    case Storage::F32:
      return run_part<Storage::F32>(x, qx, m, w, bias, y, acc, ldx, ldy, parts, part, partials, queue);
    case Storage::BF16:
      return run_part<Storage::BF16>(x, qx, m, w, bias, y, acc, ldx, ldy, parts, part, partials, queue);
    case Storage::F16:
      return run_part<Storage::F16>(x, qx, m, w, bias, y, acc, ldx, ldy, parts, part, partials, queue);
    case Storage::Int8:
      return run_part<Storage::Int8>(x, qx, m, w, bias, y, acc, ldx, ldy, parts, part, partials, queue);
    case Storage::Int4:
      return run_part<Storage::Int4>(x, qx, m, w, bias, y, acc, ldx, ldy, parts, part, partials, queue);
  }
}

// Rows of x quantised and multiplied at a time by int8 and int4 weights: bounds the quantised copy of
// x (about kQuantizedChunk · K bytes) and keeps it in L2 while the weights stream by.
constexpr int64_t kQuantizedChunk = 256;

// x's m rows quantised for int8 and int4 weights, in the calling thread's buffers (not matvec_input's:
// an input stays valid across matmul calls); an empty input for other weights.
MatvecInput quantized_input(const float* x, int64_t m, int64_t k, int64_t ldx, Storage weights) {
  thread_local QuantizedRows rows;
  return quantized(weights) ? rows.quantize(x, m, k, ldx) : MatvecInput{};
}

// The calling thread's buffer for row-split partial sums (grows on first use, then reused).
float* partials_buffer(int64_t floats) {
  thread_local std::vector<float> buf;
  if (static_cast<int64_t>(buf.size()) < floats) buf.resize(static_cast<std::size_t>(floats));
  return buf.data();
}

}  // namespace

void matmul(const float* x, int64_t m, const Weight& w, const float* bias, float* y, bool accumulate,
            int64_t ldx, int64_t ldy) {
  if (quantized(w.storage) && m > kQuantizedChunk) {
    for (int64_t i = 0; i < m; i += kQuantizedChunk)
      gemv::matmul(x + i * ldx, std::min(kQuantizedChunk, m - i), w, bias, y + i * ldy, accumulate, ldx, ldy);
    return;
  }
  const bool parallel = w.n * w.k * m >= kParallelWork;
  // Row-split shapes take the row kernel on one thread too (the same sums as matmul_many's).
  float* partials = row_split(m, w) ? partials_buffer(partial_blocks(w) * w.n) : nullptr;
  thread_local RowQueue calling_thread_queue;
  RowQueue* queue = &calling_thread_queue;  // named outside the region: its team shares this one
  queue->reserve(omp_get_max_threads());
  const MatvecInput qx = quantized_input(x, m, w.k, ldx, w.storage);
#pragma omp parallel if (parallel)
  run_part(x, qx, m, w, bias, y, accumulate, ldx, ldy, omp_get_num_threads(), omp_get_thread_num(), partials,
           queue);
}

bool splits_rows(const Weight& w) {
  return row_split(1, w);
}

void partial(const float* x, const Weight& w, int64_t block, float* out) {
  switch (w.storage) {
    case Storage::F32: return in_out_partial<Storage::F32>(x, w, block, out);
    case Storage::BF16: return in_out_partial<Storage::BF16>(x, w, block, out);
    case Storage::F16: return in_out_partial<Storage::F16>(x, w, block, out);
    case Storage::Int8:
    case Storage::Int4: break;
  }
  throw Error(Status::Internal, "matvec_partial: int8 and int4 weights are OutIn");
}

void sum_partials(const float* partials, int64_t stride, int64_t blocks, const float* bias, float* y,
                  bool accumulate, int64_t count) {
  // 8 outputs at a time, each summed in the same order as one at a time.
  for (int64_t j = 0; j < count; j += 8) {
    const __m256i m = simd::tail_mask(std::min<int64_t>(8, count - j));
    __m256 sum = accumulate ? _mm256_maskload_ps(y + j, m) : _mm256_setzero_ps();
    if (bias) sum = _mm256_add_ps(sum, _mm256_maskload_ps(bias + j, m));
    for (int64_t b = 0; b < blocks; ++b)
      sum = _mm256_add_ps(sum, _mm256_maskload_ps(partials + b * stride + j, m));
    _mm256_maskstore_ps(y + j, m, sum);
  }
}

MatvecInput input(const float* x, int64_t k, Storage weights) {
  thread_local QuantizedRows row;  // not matmul's: an input stays valid across its calls
  thread_local std::vector<float> xp;
  MatvecInput in{x, k};
  if (quantized(weights)) in = row.quantize(x, 1, k, k);
  if (weights == Storage::BF16) in.xp = deinterleaved(x, k, xp);
  return in;
}

void rows(const MatvecInput& in, const Weight& w, const float* bias, float* y, bool accumulate, int64_t n0,
          int64_t n1) {
  if (n0 >= n1) return;
  const float* x = in.x;
  switch (w.storage) {
    case Storage::F32: return out_in_rows<Storage::F32>(x, 1, w, bias, y, accumulate, w.k, w.n, n0, n1);
    case Storage::BF16:
      if (in.xp) return bf16_out_in_m1(x, in.xp, w, bias, y, accumulate, n0, n1);
      return out_in_rows<Storage::BF16>(x, 1, w, bias, y, accumulate, w.k, w.n, n0, n1);
    case Storage::F16: return out_in_rows<Storage::F16>(x, 1, w, bias, y, accumulate, w.k, w.n, n0, n1);
    case Storage::Int8:
    case Storage::Int4:
      if (in.xq) return quantized_rows(in, 1, w, bias, y, accumulate, w.n, n0, n1);
      return quantized_rows(quantized_input(x, 1, w.k, w.k, w.storage), 1, w, bias, y, accumulate, w.n, n0,
                            n1);
  }
}

void matmul_many(const float* x, int64_t m, std::span<const Projection> projections) {
  if (m > kQuantizedChunk && std::any_of(projections.begin(), projections.end(),
                                         [](const Projection& p) { return quantized(p.w.storage); })) {
    std::vector<Projection> part(projections.begin(), projections.end());
    for (int64_t i = 0; i < m; i += kQuantizedChunk) {
      for (std::size_t j = 0; j < part.size(); ++j) part[j].y = projections[j].y + i * projections[j].w.n;
      gemv::matmul_many(x + i * projections[0].w.k, std::min(kQuantizedChunk, m - i), part);
    }
    return;
  }
  int64_t work = 0, partial_floats = 0;
  MatvecInput qx;  // x quantised once for every int8 or int4 projection (all have x's width)
  for (const auto& p : projections) {
    work += p.w.n * p.w.k * m;
    if (row_split(m, p.w)) partial_floats += partial_blocks(p.w) * p.w.n;
    if (quantized(p.w.storage) && !qx.xq) qx = quantized_input(x, m, p.w.k, p.w.k, p.w.storage);
  }
  // Each row-split projection has its own partials, so no thread overwrites sums another still reads.
  float* partials = partial_floats ? partials_buffer(partial_floats) : nullptr;
#pragma omp parallel if (work >= kParallelWork)
  {
    const int parts = omp_get_num_threads(), part = omp_get_thread_num();
    float* next = partials;
    for (const auto& p : projections) {
      if (p.w.n <= 0) continue;
      // No queue: with no barrier between projections, a queue could not be reused for the next.
      run_part(x, qx, m, p.w, p.bias, p.y, false, p.w.k, p.w.n, parts, part, next, nullptr);
      if (row_split(m, p.w)) next += partial_blocks(p.w) * p.w.n;
    }
  }
}

}  // namespace nib::kernels::gemv
