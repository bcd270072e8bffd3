// matmul: picks our AVX2 GEMV or oneDNN per (M, layout), by measurement (see kGemvMaxM).
#include "kernels/gemv_avx2.hpp"
#include "kernels/kernels.hpp"
#include "kernels/onednn_matmul.hpp"

namespace nib::kernels {

namespace {
// Largest M for which the GEMV beats oneDNN (bench/bench_matmul, 2 threads; see report).
constexpr std::int64_t kGemvMaxM[2] = {/*OutIn*/ 4, /*InOut*/ 4};
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

void gemm(const float* a, std::int64_t lda, const float* b, std::int64_t ldb, bool b_transposed, float* c,
          std::int64_t ldc, std::int64_t m, std::int64_t n, std::int64_t k, float alpha, float beta) {
  if (m <= 0 || n <= 0) return;
  onednn::sgemm(a, lda, b, ldb, b_transposed, c, ldc, m, n, k, alpha, beta);
}

}  // namespace nib::kernels
