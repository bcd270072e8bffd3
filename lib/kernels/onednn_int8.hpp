#pragma once
// oneDNN int8 matmul for M > 1 with int8 weights. The M = 1 GEMV reads the per-block int8 storage
// (kInt8Block scales along K); oneDNN 2.x scales int8 products only per output, so M > 1 uses its
// own copy of the weights, quantised per output channel at load and prepacked in oneDNN's layout.
// Activations are quantised per call, per row, to u8 with a zero point (asymmetric: GELU outputs
// and other one-sided rows keep the full 8 bits); the s32 products are rescaled in our epilogue.
#include <cstdint>
#include <memory>

#include "kernels/kernels.hpp"

namespace nib::kernels::onednn {

// The per-channel prepacked copy of src (f32, n outputs × k inputs in `layout`), or nullptr when K
// is too large for exact s32 accumulation or the CPU lacks VNNI (such weights take the widened path).
std::shared_ptr<const Int8Gemm> pack_int8_gemm(const float* src, std::int64_t n, std::int64_t k,
                                               Layout layout);

// Bytes the copy holds (weights, scales, column sums); with n and k, what pack_int8_gemm will
// make for such a matrix holds, known before it is made (0: it makes none).
std::int64_t int8_gemm_bytes(const Int8Gemm& g);
std::int64_t int8_gemm_bytes(std::int64_t n, std::int64_t k);

// Same contract as kernels::matmul with explicit leading dimensions.
void int8_matmul(const float* x, std::int64_t m, const Int8Gemm& g, const float* bias, float* y,
                 bool accumulate, std::int64_t ldx, std::int64_t ldy);

// Largest u8 value activations are quantised to: 255 where oneDNN's int8 kernels use VNNI
// (exact s32 dot products), 127 on older CPUs, whose vpmaddubsw saturates pairs of u8·s8
// products at 16 bits (2 · 127 · 127 fits, 2 · 255 · 127 does not).
int activation_levels();

// Number of cached int8 primitives (for tests).
std::size_t cached_int8_primitives();

}  // namespace nib::kernels::onednn
