#pragma once
// Symmetric quantisation: int8, the one formula behind int8 weights (per block of kInt8Block along K
// for the GEMV, per output channel for oneDNN) and the GEMV's per-block activations; int4, behind
// int4 weights.
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

// One block of n <= 32 4-bit codes, code[i] in [0, 15] for x[i] ≈ (code[i] − 8) · scale. Q4_0's
// rule maps the element of largest magnitude m to −8 (scale = m / −8); here the inverse scales
// −(8 + 0.1·j) / m for j in [−9, 9] are tried, each with its codes' least-squares scale
// Σ x·q / Σ q², and the pair with the smallest squared error is kept (as llama.cpp's
// make_qx_quants). An all-zero block: scale 0, codes 8. Returns the scale.
inline float quantize_int4(const float* x, std::int64_t n, std::uint8_t* code) {
  float m = 0.f;
  for (std::int64_t i = 0; i < n; ++i)
    if (std::abs(x[i]) > std::abs(m)) m = x[i];
  std::fill(code, code + n, std::uint8_t{8});
  if (m == 0.f) return 0.f;
  double best_err = INFINITY;
  float best_scale = 0.f;
  std::uint8_t trial[32];
  for (int j = -9; j <= 9; ++j) {
    const float inv = -(8.f + 0.1f * static_cast<float>(j)) / m;
    double xq = 0, qq = 0;
    for (std::int64_t i = 0; i < n; ++i) {
      trial[i] = static_cast<std::uint8_t>(std::clamp(std::nearbyint(x[i] * inv) + 8.f, 0.f, 15.f));
      const double q = trial[i] - 8.0;
      xq += x[i] * q;
      qq += q * q;
    }
    const auto scale = static_cast<float>(xq / qq);  // qq > 0: m's own code is at least 7 from 8
    double err = 0;
    for (std::int64_t i = 0; i < n; ++i) {
      const double d = x[i] - double(scale) * (trial[i] - 8.0);
      err += d * d;
    }
    if (err < best_err) {
      best_err = err;
      best_scale = scale;
      std::copy(trial, trial + n, code);
    }
  }
  return best_scale;
}

}  // namespace nib::kernels
