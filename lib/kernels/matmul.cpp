// matmul: picks our GEMV or oneDNN per (M, weight), by measurement (see gemv_max_m), and for M above
// the GEMV's range the oneDNN path per weight type: f32 through its prepacked copy when it has one, else
// in place, int8 through its prepacked per-channel copy (oneDNN int8), bf16 in place through oneDNN's
// bf16 matmul where the CPU has one, else (f16, and bf16 or int8 on CPUs without those matmuls)
// widened. Int4 always takes the GEMV.
#include <algorithm>
#include <limits>
#include <nib/error.hpp>
#include <vector>

#include "kernels/gemv_avx2.hpp"
#include "kernels/kernels.hpp"
#include "kernels/onednn_f32_packed.hpp"
#include "kernels/onednn_int8.hpp"
#include "kernels/onednn_matmul.hpp"

namespace nib::kernels {

namespace {
// Largest M of f32 weights routed to our GEMV, per layout (OutIn, InOut). Measured with bench_matmul
// (BM_gemv_avx2 vs BM_onednn_wrapper, 1 thread, CPU time, shared machine; µs per call):
//   768x3072 OutIn  M=1: 507 vs 630   M=2: 626 vs 526   M=3: 908 vs 579
//   2048²    OutIn  M=1: 859 vs 892   M=2: 905 vs 763   M=3: 1193 vs 1003
//   768x3072 InOut  M=1: 468 vs 627   M=2: 671 vs 678   M=4: 890 vs 600
//   2048²    InOut  M=1: 723 vs 856   M=2: 1046 vs 962  M=4: 1595 vs 991
// At M = 1 the GEMV streams at the machine's read bandwidth (~23 GB/s), splits N so the two cores
// read disjoint weights, and allocates nothing (the oneDNN call builds memory objects per call);
// from M = 2 oneDNN's register-blocked kernels win.
constexpr std::int64_t kGemvMaxM[2] = {1, 1};

// Whether oneDNN multiplies w without widening it: f32 (its values, or its prepacked copy), or bf16
// where oneDNN has a bf16 matmul.
bool onednn_in_place(const Weight& w) {
  return w.storage == Storage::F32 || (w.storage == Storage::BF16 && onednn::has_bf16_matmul());
}

// Largest M routed to our GEMV for w. The GEMV reads each weight tile from memory once and reuses it
// from cache for every x row, so it beats a path that first widens every weight up to some M.
// Measured with `nib bench` prefill of 2–512 tokens on SmolLM2-360M (OutIn weights) and GPT-2 124M
// (InOut), 2 threads, tokens/s GEMV vs oneDNN (AVX-512 VNNI / AVX2-limited CPU):
//   int8 (oneDNN int8 copy, VNNI)  M=2: 171 vs 102  M=4: 264 vs 198  M=8: 336 vs 374
//   int8 widened (AVX2)            M=32: 231 vs 145  M=128: 231 vs 227  M=512: 220 vs 254
//   f16 widened, OutIn             M=32: 207 vs 140 / 225 vs 169   M=128: 224 vs 298 / 244 vs 236
//   bf16 widened, OutIn (AVX2)     M=32: 199 vs 181  M=128: 210 vs 242
//   f16 widened, InOut             M=4: 108 vs 70  M=8: 135 vs 123, 142 vs 149  M=32: 161 vs 455
//   int4 (GEMV vs widened)         M=8: 413 vs 75 / 291 vs 65  M=512: 534 vs 412 / 353 vs 273; on
//                                  bert-base, batch 32 × 128 tokens: 12.8 vs 12.7 / 9.3 vs 7.9 seq/s
// Its integer dot products make int4's GEMV the faster path at every M measured. (InOut rows keep a
// y tile per x row in cache, which stops paying off sooner than OutIn's reuse of each weight row.)
// Widened int8 stops at 32 like 16-bit weights (past it the gain is small). Its GEMV quantises x, as
// oneDNN's int8 matmul does on CPUs with VNNI: the encoder goldens' int8 errors on AVX2 grow to about
// what they are there (tests/golden/encoder_reduced_weights.cpp).
std::int64_t gemv_max_m(const Weight& w) {
  if (w.k == 0 || w.storage == Storage::Int4) return std::numeric_limits<std::int64_t>::max();
  if (w.storage == Storage::Int8 && w.gemm) return 4;
  if (onednn_in_place(w)) return kGemvMaxM[static_cast<int>(w.layout)];
  return w.layout == Layout::OutIn ? 32 : 4;  // widened weights (int8 is always OutIn)
}

void check_storage(const Weight& w) {
  if (quantized(w.storage) && w.layout != Layout::OutIn)
    throw Error(Status::Internal, "matmul: int8 and int4 weights must be OutIn");
}

// Floats of f32 weights widened at a time for oneDNN (4 MiB: a slice of outputs large enough that
// oneDNN's blocking stays efficient, small enough to stay in the last-level cache).
constexpr std::int64_t kWidenFloats = 1 << 20;

// M above the GEMV's range with f16 weights (oneDNN 2.6 has no f16 matmul on CPUs), bf16 weights on CPUs
// without a oneDNN bf16 matmul, and int8 weights without their per-channel copy: slices of output
// features are widened to f32 in a per-thread buffer and multiplied by oneDNN. The widening reads each weight
// once per call, against M multiply-adds.
void widened_matmul(const float* x, std::int64_t m, const Weight& w, const float* bias, float* y, bool acc,
                    std::int64_t ldx, std::int64_t ldy) {
  thread_local std::vector<float> buf;
  const std::int64_t step =
      std::max<std::int64_t>(64, kWidenFloats / std::max<std::int64_t>(w.k, 1) / 64 * 64);
  const std::int64_t slice = std::min(step, w.n);
  if (static_cast<std::int64_t>(buf.size()) < slice * w.k) buf.resize(static_cast<std::size_t>(slice * w.k));
  for (std::int64_t n0 = 0; n0 < w.n; n0 += step) {
    const std::int64_t n1 = std::min(w.n, n0 + step);
    float* out = buf.data();          // the caller's buffer (buf is thread_local: name it outside the region)
    if (w.layout == Layout::OutIn) {  // rows are contiguous: threads widen disjoint row ranges
#pragma omp parallel for schedule(static)
      for (std::int64_t r = n0; r < n1; r += 16) dequantize(w, r, std::min(n1, r + 16), out + (r - n0) * w.k);
    } else {
      dequantize(w, n0, n1, out);
    }
    // Int8 is OutIn; 16-bit InOut slices come out [k, n1 - n0].
    const Weight part{buf.data(), n1 - n0, w.k, w.layout};
    onednn::matmul(x, m, part, bias ? bias + n0 : nullptr, y + n0, acc, ldx, ldy);
  }
}
}  // namespace

bool matmul_uses_gemv(std::int64_t m, const Weight& w) {
  return m <= gemv_max_m(w);
}

void matmul(const float* x, std::int64_t m, const Weight& w, const float* bias, float* y, bool accumulate,
            std::int64_t ldx, std::int64_t ldy, Epilogue then) {
  if (m <= 0 || w.n <= 0) return;
  if (ldx <= 0) ldx = w.k;
  if (ldy <= 0) ldy = w.n;
  check_storage(w);
  if (matmul_uses_gemv(m, w))
    gemv::matmul(x, m, w, bias, y, accumulate, ldx, ldy);
  else if (w.f32_gemm)
    return onednn::packed_matmul(x, m, *w.f32_gemm, bias, y, accumulate, ldx, ldy, then);
  else if (onednn_in_place(w))
    return onednn::matmul(x, m, w, bias, y, accumulate, ldx, ldy, then);  // `then` is a post-op
  else if (w.storage == Storage::Int8 && w.gemm)
    onednn::int8_matmul(x, m, *w.gemm, bias, y, accumulate, ldx, ldy);
  else
    widened_matmul(x, m, w, bias, y, accumulate, ldx, ldy);
  if (then == Epilogue::None) return;
  if (ldy == w.n) return apply_epilogue(then, y, m * w.n);
  for (std::int64_t i = 0; i < m; ++i) apply_epilogue(then, y + i * ldy, w.n);
}

void matmul(const float* x, std::int64_t m, const Weight& w, const float* bias, float* y, bool accumulate,
            std::int64_t ldx, std::int64_t ldy) {
  matmul(x, m, w, bias, y, accumulate, ldx, ldy, Epilogue::None);
}

void matmul_many(const float* x, std::int64_t m, std::span<const Projection> projections) {
  if (m <= 0) return;
  bool gemv = true;
  for (const auto& p : projections) {
    check_storage(p.w);
    gemv = gemv && matmul_uses_gemv(m, p.w);
  }
  if (gemv) return gemv::matmul_many(x, m, projections);
  for (const auto& p : projections) matmul(x, m, p.w, p.bias, p.y);
}

MatvecInput matvec_input(const float* x, std::int64_t k, Storage weights) {
  return gemv::input(x, k, weights);
}

void matvec_rows(const MatvecInput& x, const Weight& w, const float* bias, float* y, bool accumulate,
                 std::int64_t n0, std::int64_t n1) {
  check_storage(w);
  if (w.layout != Layout::OutIn) throw Error(Status::Internal, "matvec_rows: the weight must be OutIn");
  if (x.k != w.k) throw Error(Status::Internal, "matvec_rows: the input's width is not the weight's");
  gemv::rows(x, w, bias, y, accumulate, n0, n1);
}

bool matvec_splits_rows(const Weight& w) {
  return gemv::splits_rows(w);
}

std::int64_t partial_blocks(const Weight& w) {
  return (w.k + kPartialRows - 1) / kPartialRows;
}

void matvec_partial(const float* x, const Weight& w, std::int64_t block, float* partial) {
  if (w.layout != Layout::InOut || !gemv::splits_rows(w) || block < 0 || block >= partial_blocks(w))
    throw Error(Status::Internal, "matvec_partial: not a block of a weight split along K at M = 1");
  gemv::partial(x, w, block, partial);
}

void sum_partials(const float* partials, std::int64_t stride, std::int64_t blocks, const float* bias,
                  float* y, bool accumulate, std::int64_t count) {
  gemv::sum_partials(partials, stride, blocks, bias, y, accumulate, count);
}

void gemm(const float* a, std::int64_t lda, const float* b, std::int64_t ldb, bool b_transposed, float* c,
          std::int64_t ldc, std::int64_t m, std::int64_t n, std::int64_t k, float alpha, float beta) {
  if (m <= 0 || n <= 0) return;
  onednn::sgemm(a, lda, b, ldb, b_transposed, c, ldc, m, n, k, alpha, beta);
}

}  // namespace nib::kernels
