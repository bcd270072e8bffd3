#pragma once
// GEMV kernels for CPUs with AVX-512 (see cpu_isa.hpp): compiled for that target in their own
// file and called only when active_isa() allows it.
#include <cstdint>

#include "kernels/kernels.hpp"

namespace nib::kernels::gemv::avx512 {

// The 16 row sums Σ_b scale[r, b] · xs[b] · (q_r · xq)_b of one int8 row group (see
// quantized_group_bytes) against x quantised per block of 32 (xq, zero-padded to whole
// blocks; xs its scales, xsum the sums of its codes). Per block the integer dot products are exact
// (vpdpbusd on q + 128 against xq, less 128·Σxq), 16 rows per instruction, then scaled in f32.
void int8_group(const std::int8_t* xq, const float* xs, const std::int32_t* xsum, const std::int8_t* group,
                std::int64_t blocks, float* sums);

// The same for one int4 row group (see int4_code_byte) against x's quantised row
// (x.xq, x.xs, x.xsum as above): vpdpbusd on the codes (u8 0..15, low nibbles then high) against
// xq, started at −8·Σxq to undo the codes' offset.
void int4_group(const MatvecInput& x, const std::uint8_t* group, std::int64_t blocks, float* sums);
// int4_group for two x rows at once, each chunk's codes unpacked once for both: sums0 for x0, sums1
// for x1, each exactly as int4_group computes it.
void int4_group2(const MatvecInput& x0, const MatvecInput& x1, const std::uint8_t* group, std::int64_t blocks,
                 float* sums0, float* sums1);

}  // namespace nib::kernels::gemv::avx512
