#pragma once
// oneDNN f32 matmul for M > 1 on a copy of the weights prepacked at load in oneDNN's preferred
// layout, through fixed-M primitives (see onednn_context.hpp). On AVX-512 oneDNN 2.6 then runs its
// brgemm kernels, ~1.1x its runtime-M GEMM on the plain in-place weights; where its preferred layout
// is the plain one (AVX2: no f32 brgemm) there is nothing to gain and no copy is made.
#include <cstdint>
#include <memory>

#include "kernels/kernels.hpp"

namespace nib::kernels::onednn {

// The prepacked copy of src (f32, n outputs × k inputs in `layout`), or nullptr when oneDNN's
// preferred layout on this CPU is the plain one.
std::shared_ptr<const F32Gemm> pack_f32_gemm(const float* src, std::int64_t n, std::int64_t k, Layout layout);

// Bytes the copy holds; before making it: the bytes pack_f32_gemm will allocate (0: none).
std::int64_t f32_gemm_bytes(const F32Gemm& g);
std::int64_t f32_gemm_bytes(std::int64_t n, std::int64_t k);

// Same contract as kernels::matmul with explicit leading dimensions; `then` is a post-op.
void packed_matmul(const float* x, std::int64_t m, const F32Gemm& g, const float* bias, float* y,
                   bool accumulate, std::int64_t ldx, std::int64_t ldy, Epilogue then);

// Number of cached prepacked-f32 primitives (for tests).
std::size_t cached_packed_primitives();

}  // namespace nib::kernels::onednn
