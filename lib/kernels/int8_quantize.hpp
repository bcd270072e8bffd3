#pragma once
// Symmetric int8 quantisation, the one formula behind int8 weights (per block of kInt8Block along K
// for the GEMV, per output channel for oneDNN) and the GEMV's per-block activations.
#include <algorithm>
#include <cmath>
#include <cstdint>

namespace nib::kernels {

// q[i] = round(x[i] / scale) in [-127, 127] with scale = max |x| / 127 (an all-zero run: scale 0,
// codes 0). Returns the scale.
inline float quantize_symmetric(const float* x, std::int64_t n, std::int8_t* q) {
  float amax = 0.f;
  for (std::int64_t i = 0; i < n; ++i) amax = std::max(amax, std::abs(x[i]));
  const float inv = amax > 0.f ? 127.f / amax : 0.f;
  for (std::int64_t i = 0; i < n; ++i)
    q[i] = static_cast<std::int8_t>(std::clamp(std::nearbyint(x[i] * inv), -127.f, 127.f));
  return amax / 127.f;
}

}  // namespace nib::kernels
