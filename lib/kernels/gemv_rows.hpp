#pragma once
// Writing a GEMV's finished row sums, shared by the AVX2 and AVX-512 kernels (scalar code: safe to
// inline into either target).
#include <cstdint>

namespace nib::kernels::gemv {

// y[r] = sums[r] + bias[r] (y[r] += … with acc) for r < count; bias may be null. The caller offsets
// y and bias to the first output.
inline void store_sums(const float* sums, int count, const float* bias, float* y, bool acc) {
  for (int r = 0; r < count; ++r) {
    const float v = sums[r] + (bias ? bias[r] : 0.f);
    y[r] = acc ? y[r] + v : v;
  }
}

}  // namespace nib::kernels::gemv
