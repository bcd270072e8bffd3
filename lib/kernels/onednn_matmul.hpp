#pragma once
// oneDNN matmul on weights read in place (f32, or bf16 with the activations rounded to bf16),
// through a process-wide cache of primitives keyed by shape; M (and the row strides) are runtime
// values, so one primitive serves every sequence length.
#include <cstdint>

#include "kernels/kernels.hpp"

namespace nib::kernels::onednn {

// Same contract as kernels::matmul with explicit leading dimensions; w is F32 or BF16; `then` is a
// oneDNN post-op.
void matmul(const float* x, std::int64_t m, const Weight& w, const float* bias, float* y, bool accumulate,
            std::int64_t ldx, std::int64_t ldy);
void matmul(const float* x, std::int64_t m, const Weight& w, const float* bias, float* y, bool accumulate,
            std::int64_t ldx, std::int64_t ldy, Epilogue then);

// Whether oneDNN runs bf16 matmuls on this CPU (decided once, by creating one).
bool has_bf16_matmul();

// Row-major sgemm (dnnl_sgemm): c = alpha · a · op(b) + beta · c.
void sgemm(const float* a, std::int64_t lda, const float* b, std::int64_t ldb, bool b_transposed, float* c,
           std::int64_t ldc, std::int64_t m, std::int64_t n, std::int64_t k, float alpha, float beta);

// Number of cached f32/bf16 primitives (for tests).
std::size_t cached_primitives();

}  // namespace nib::kernels::onednn
