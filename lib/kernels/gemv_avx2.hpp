#pragma once
// Matrix-vector style matmul for decode (M = 1) and small M: AVX2+FMA, weights read in place,
// output features split across OpenMP threads so each core streams its own part of the weights.
#include <cstdint>
#include <span>

#include "kernels/kernels.hpp"

namespace nib::kernels::gemv {

// Same contract as kernels::matmul with explicit leading dimensions. Allocates nothing.
void matmul(const float* x, std::int64_t m, const Weight& w, const float* bias, float* y, bool accumulate,
            std::int64_t ldx, std::int64_t ldy);

// kernels::matvec_input: x, prepared for `weights` in the calling thread's buffers.
MatvecInput input(const float* x, std::int64_t k, Storage weights);

// kernels::matvec_rows: outputs [n0, n1) of an OutIn weight at M = 1 on the calling thread.
void rows(const MatvecInput& x, const Weight& w, const float* bias, float* y, bool accumulate,
          std::int64_t n0, std::int64_t n1);

// kernels::matvec_splits_rows, matvec_partial and sum_partials.
bool splits_rows(const Weight& w);
void partial(const float* x, const Weight& w, std::int64_t block, float* out);
void sum_partials(const float* partials, std::int64_t stride, std::int64_t blocks, const float* bias,
                  float* y, bool accumulate, std::int64_t count);

// kernels::matmul_many on the GEMV path: one parallel region, each thread its share of every
// projection's outputs (x rows contiguous, leading dimension k). Allocates nothing.
void matmul_many(const float* x, std::int64_t m, std::span<const Projection> projections);

}  // namespace nib::kernels::gemv
