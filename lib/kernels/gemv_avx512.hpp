#pragma once
// M = 1 GEMV kernels for CPUs with AVX-512 (see cpu_isa.hpp): compiled for that target in their own
// file and called only when active_isa() allows it.
#include <cstdint>

namespace nib::kernels::gemv::avx512 {

// y[j] (+)= bias[j] + Σ_b scales[j, b] · xs[b] · (q_j · xq)_b for output rows j in [n0, n1) of an
// int8 OutIn weight (q [n, k], scales [n, blocks]); xq is x quantised per block of 32 (xs its
// scales) and zero-padded to a whole number of 64-byte pairs of blocks. Per block the integer dot
// product is exact (vpdpbusd on q + 128 against xq, less 128·Σxq), then scaled in f32 like the
// AVX2 kernel. Allocates nothing once the calling thread's scratch has grown.
void int8_rows(const std::int8_t* xq, const float* xs, const std::int8_t* q, const float* scales,
               std::int64_t k, std::int64_t n0, std::int64_t n1, const float* bias, float* y, bool acc);

}  // namespace nib::kernels::gemv::avx512
