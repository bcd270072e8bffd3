// matmul: picks our AVX2 GEMV or oneDNN per (M, layout), by measurement (see kGemvMaxM).
#include "kernels/gemv_avx2.hpp"
#include "kernels/kernels.hpp"
#include "kernels/onednn_matmul.hpp"

namespace nib::kernels {

namespace {
// Largest M routed to our GEMV, per layout (OutIn, InOut). Measured with bench_matmul
// (BM_gemv_avx2 vs BM_onednn_wrapper, 1 thread, CPU time, shared machine; µs per call):
//   768x3072 OutIn  M=1: 507 vs 630   M=2: 626 vs 526   M=3: 908 vs 579
//   2048²    OutIn  M=1: 859 vs 892   M=2: 905 vs 763   M=3: 1193 vs 1003
//   768x3072 InOut  M=1: 468 vs 627   M=2: 671 vs 678   M=4: 890 vs 600
//   2048²    InOut  M=1: 723 vs 856   M=2: 1046 vs 962  M=4: 1595 vs 991
// At M = 1 the GEMV streams at the machine's read bandwidth (~23 GB/s), splits N so the two cores
// read disjoint weights, and allocates nothing (the oneDNN call builds memory objects per call);
// from M = 2 oneDNN's register-blocked kernels win.
constexpr std::int64_t kGemvMaxM[2] = {1, 1};
}  // namespace

void matmul(const float* x, std::int64_t m, const Weight& w, const float* bias, float* y, bool accumulate,
            std::int64_t ldx, std::int64_t ldy) {
  if (m <= 0 || w.n <= 0) return;
  if (ldx <= 0) ldx = w.k;
  if (ldy <= 0) ldy = w.n;
  if (m <= kGemvMaxM[static_cast<int>(w.layout)] || w.k == 0)
    gemv::matmul(x, m, w, bias, y, accumulate, ldx, ldy);
  else
    onednn::matmul(x, m, w, bias, y, accumulate, ldx, ldy);
}

void matmul_many(const float* x, std::int64_t m, std::span<const Projection> projections) {
  if (m <= 0) return;
  bool gemv = true;
  for (const auto& p : projections)
    gemv = gemv && (m <= kGemvMaxM[static_cast<int>(p.w.layout)] || p.w.k == 0);
  if (gemv) return gemv::matmul_many(x, m, projections);
  for (const auto& p : projections) matmul(x, m, p.w, p.bias, p.y);
}

void gemm(const float* a, std::int64_t lda, const float* b, std::int64_t ldb, bool b_transposed, float* c,
          std::int64_t ldc, std::int64_t m, std::int64_t n, std::int64_t k, float alpha, float beta) {
  if (m <= 0 || n <= 0) return;
  onednn::sgemm(a, lda, b, ldb, b_transposed, c, ldc, m, n, k, alpha, beta);
}

}  // namespace nib::kernels
