// Rotate-half RoPE as Hugging Face computes it: angle = float(position) · inv_freq rounded to f32
// (its matmul of two f32 tensors), then cos/sin of that f32 angle. At long positions the angle's
// f32 rounding dominates, so we keep it and evaluate cos/sin in double (correctly rounded to f32).
#include <immintrin.h>

#include <cmath>
#include <vector>

#include "kernels/kernels.hpp"

namespace nib::kernels {

void rope(float* x, std::int64_t n_tokens, std::int64_t n_heads, std::int64_t head_dim, std::int64_t stride,
          const std::int64_t* positions, const float* inv_freq, float scale) {
  const std::int64_t half = head_dim / 2;
#pragma omp parallel if (n_tokens > 16)
  {
    thread_local std::vector<float> cs;  // cos | sin of one token; grows once, no per-call allocation
    cs.resize(static_cast<std::size_t>(2 * half));
    float* c = cs.data();
    float* s = c + half;
#pragma omp for schedule(static)
    for (std::int64_t t = 0; t < n_tokens; ++t) {
      const float pos = static_cast<float>(positions[t]);
      for (std::int64_t i = 0; i < half; ++i) {
        const double angle = static_cast<double>(pos * inv_freq[i]);
        c[i] = static_cast<float>(std::cos(angle)) * scale;
        s[i] = static_cast<float>(std::sin(angle)) * scale;
      }
      for (std::int64_t h = 0; h < n_heads; ++h) {
        float* a = x + t * stride + h * head_dim;
        float* b = a + half;
        std::int64_t i = 0;
        for (; i + 8 <= half; i += 8) {
          const __m256 x1 = _mm256_loadu_ps(a + i), x2 = _mm256_loadu_ps(b + i);
          const __m256 cv = _mm256_loadu_ps(c + i), sv = _mm256_loadu_ps(s + i);
          _mm256_storeu_ps(a + i, _mm256_fmsub_ps(x1, cv, _mm256_mul_ps(x2, sv)));
          _mm256_storeu_ps(b + i, _mm256_fmadd_ps(x2, cv, _mm256_mul_ps(x1, sv)));
        }
        for (; i < half; ++i) {
          const float x1 = a[i], x2 = b[i];
          a[i] = x1 * c[i] - x2 * s[i];
          b[i] = x2 * c[i] + x1 * s[i];
        }
      }
    }
  }
}

}  // namespace nib::kernels
