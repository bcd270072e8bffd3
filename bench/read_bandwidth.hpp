#pragma once
// The machine's memory read bandwidth: a streaming AVX2 sum over a 1 GiB buffer (far beyond any
// cache), each thread reading its own contiguous part. The yardstick for decode GEMV: bench_bandwidth
// runs it alone, bench_matmul next to the kernels so both are measured under the same load.
// GB/s is over wall time; GB/s_cpu over the slowest thread's own CPU time, which is what the memory
// system delivered while the thread ran (the machine is shared: wall time includes preemption).
#include <benchmark/benchmark.h>
#include <immintrin.h>
#include <omp.h>

#include <time.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

namespace nib::bench {

constexpr std::size_t kReadProbeBytes = std::size_t{1} << 30;

inline float* read_probe_buffer() {
  static std::unique_ptr<float, decltype(&std::free)> buf(
      static_cast<float*>(std::aligned_alloc(64, kReadProbeBytes)), &std::free);
  static bool filled = [] {
    // First touch from each thread's own range (no NUMA here, but harmless) and non-zero data.
    const std::size_t n = kReadProbeBytes / sizeof(float);
#pragma omp parallel for schedule(static)
    for (std::size_t i = 0; i < n; ++i) buf.get()[i] = static_cast<float>(i & 1023);
    return true;
  }();
  (void)filled;
  return buf.get();
}

inline float sum_range(const float* p, std::size_t n) {
  __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
  for (std::size_t i = 0; i + 32 <= n; i += 32) {
    a0 = _mm256_add_ps(a0, _mm256_load_ps(p + i));
    a1 = _mm256_add_ps(a1, _mm256_load_ps(p + i + 8));
    a2 = _mm256_add_ps(a2, _mm256_load_ps(p + i + 16));
    a3 = _mm256_add_ps(a3, _mm256_load_ps(p + i + 24));
  }
  const __m256 s = _mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3));
  float out[8];
  _mm256_storeu_ps(out, s);
  return out[0] + out[1] + out[2] + out[3] + out[4] + out[5] + out[6] + out[7];
}

inline void BM_read_bandwidth(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  const float* p = read_probe_buffer();
  const std::size_t n = kReadProbeBytes / sizeof(float);
  double cpu_seconds = 0;
  for (auto _ : state) {
    float total = 0;
    double slowest = 0;
#pragma omp parallel num_threads(threads) reduction(+ : total) reduction(max : slowest)
    {
      const std::size_t parts = static_cast<std::size_t>(omp_get_num_threads());
      const std::size_t part = static_cast<std::size_t>(omp_get_thread_num());
      const std::size_t chunk = n / parts / 32 * 32;
      timespec t0, t1;
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
      total += sum_range(p + part * chunk, chunk);
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
      slowest = std::max(slowest, double(t1.tv_sec - t0.tv_sec) + 1e-9 * double(t1.tv_nsec - t0.tv_nsec));
    }
    cpu_seconds += slowest;
    benchmark::DoNotOptimize(total);
  }
  const double bytes = static_cast<double>(kReadProbeBytes) * static_cast<double>(state.iterations());
  state.counters["GB/s"] = benchmark::Counter(bytes / 1e9, benchmark::Counter::kIsRate);
  state.counters["GB/s_cpu"] = bytes / 1e9 / cpu_seconds;
}

}  // namespace nib::bench
