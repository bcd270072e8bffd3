#pragma once
// Deterministic uniform random floats for kernel tests, micro-benchmarks and the GEMM probe:
// the same seed gives the same data on every run and machine (std::mt19937 is fully specified).
#include <cstddef>
#include <random>
#include <vector>

namespace nib::testing {

template <class Count>
std::vector<float> random_floats(Count n, unsigned seed, float lo = -1.f, float hi = 1.f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(static_cast<std::size_t>(n));
  for (auto& x : v) x = d(rng);
  return v;
}

}  // namespace nib::testing
