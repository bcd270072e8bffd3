#pragma once
// oneDNN f32 matmul on weights read in place, through a process-wide cache of primitives keyed by
// shape; M (and the row strides) are runtime values, so one primitive serves every sequence length.
#include <cstdint>

#include "kernels/kernels.hpp"

namespace nib::kernels::onednn {

// Same contract as kernels::matmul with explicit leading dimensions.
void matmul(const float* x, std::int64_t m, const Weight& w, const float* bias, float* y, bool accumulate,
            std::int64_t ldx, std::int64_t ldy);

// Row-major sgemm (dnnl_sgemm): c = alpha · a · op(b) + beta · c.
void sgemm(const float* a, std::int64_t lda, const float* b, std::int64_t ldb, bool b_transposed, float* c,
           std::int64_t ldc, std::int64_t m, std::int64_t n, std::int64_t k, float alpha, float beta);

// Number of cached primitives (for tests).
std::size_t cached_primitives();

}  // namespace nib::kernels::onednn
