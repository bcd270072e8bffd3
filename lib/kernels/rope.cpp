// Rotate-half RoPE as Hugging Face computes it: angle = float(position) · inv_freq rounded to f32
// (its matmul of two f32 tensors), then cos/sin of that f32 angle. At long positions the angle's
// f32 rounding dominates, so we keep it and evaluate cos/sin in double (correctly rounded to f32).
#include <immintrin.h>

#include <cmath>
#include <vector>

#include "kernels/kernels.hpp"

namespace nib::kernels {

namespace {

// cos | sin of one token's angles, each `half` floats, scaled.
void token_table(std::int64_t position, const float* inv_freq, std::int64_t half, float scale, float* c) {
  const float pos = static_cast<float>(position);
  for (std::int64_t i = 0; i < half; ++i) {
    const double angle = static_cast<double>(pos * inv_freq[i]);
    c[i] = static_cast<float>(std::cos(angle)) * scale;
    c[half + i] = static_cast<float>(std::sin(angle)) * scale;
  }
}

// Rotates every head of one token's row by its cos | sin table.
void rotate_token(float* x, std::int64_t n_heads, std::int64_t head_dim, const float* c) {
  const std::int64_t half = head_dim / 2;
  const float* s = c + half;
  for (std::int64_t h = 0; h < n_heads; ++h) {
    float* a = x + h * head_dim;
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

}  // namespace

// Fewer tokens than this are rotated on the calling thread.
constexpr std::int64_t kParallelTokens = 16;

void rope(float* x, std::int64_t n_tokens, std::int64_t n_heads, std::int64_t head_dim, std::int64_t stride,
          const std::int64_t* positions, const float* inv_freq, float scale) {
  const std::int64_t half = head_dim / 2;
#pragma omp parallel if (n_tokens > kParallelTokens)
  {
    thread_local std::vector<float> cs;  // cos | sin of one token; grows once, no per-call allocation
    cs.resize(static_cast<std::size_t>(2 * half));
#pragma omp for schedule(static)
    for (std::int64_t t = 0; t < n_tokens; ++t) {
      token_table(positions[t], inv_freq, half, scale, cs.data());
      rotate_token(x + t * stride, n_heads, head_dim, cs.data());
    }
  }
}

void rope_table(const std::int64_t* positions, std::int64_t n_tokens, const float* inv_freq,
                std::int64_t half, float scale, float* table) {
  auto one = [&](std::int64_t t) { token_table(positions[t], inv_freq, half, scale, table + t * 2 * half); };
  if (n_tokens <= kParallelTokens) {  // no region: a decode step calls this inside its own
    for (std::int64_t t = 0; t < n_tokens; ++t) one(t);
    return;
  }
#pragma omp parallel for schedule(static)
  for (std::int64_t t = 0; t < n_tokens; ++t) one(t);
}

void rope_apply(float* x, std::int64_t n_tokens, std::int64_t n_heads, std::int64_t head_dim,
                std::int64_t stride, const float* table) {
  auto one = [&](std::int64_t t) { rotate_token(x + t * stride, n_heads, head_dim, table + t * head_dim); };
  if (n_tokens <= kParallelTokens) {
    for (std::int64_t t = 0; t < n_tokens; ++t) one(t);
    return;
  }
#pragma omp parallel for schedule(static)
  for (std::int64_t t = 0; t < n_tokens; ++t) one(t);
}

}  // namespace nib::kernels
