#pragma once
// M = 1 GEMV kernels for CPUs with AVX-512 (see cpu_isa.hpp): compiled for that target in their own
// file and called only when active_isa() allows it.
#include <cstdint>

namespace nib::kernels::gemv::avx512 {

// The 16 row sums Σ_b scale[r, b] · xs[b] · (q_r · xq)_b of one int8 row group (t: its codes, s:
// its scales; see int8_code_index) against x quantised per block of 32 (xq, zero-padded to whole
// blocks; xs its scales, xsum the sums of its codes). Per block the integer dot products are exact
// (vpdpbusd on q + 128 against xq, less 128·Σxq), 16 rows per instruction, then scaled in f32.
void int8_group(const std::int8_t* xq, const float* xs, const std::int32_t* xsum, const std::int8_t* t,
                const float* s, std::int64_t blocks, float* sums);

}  // namespace nib::kernels::gemv::avx512
