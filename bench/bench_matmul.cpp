// The matmul wrapper (kernels::matmul) per shape, M and weight layout, next to oneDNN's own peak for
// the same shape (a fixed-M primitive with weights pre-reordered into its preferred blocked format),
// and the two small-M paths forced (our GEMV vs the oneDNN wrapper) to pick the crossover.
// Counters: GFLOP/s (2·M·N·K over wall time) and, for the weight-streaming paths, GB/s of weights.
// Weights rotate through a pool of copies larger than any cache so M = 1 reads them from memory as
// decode does (one pass over the whole model per token).
#include <benchmark/benchmark.h>

#include <time.h>

#include <cstring>
#include <memory>
#include <vector>

#include "gemm_peak.hpp"
#include "kernels/cpu_isa.hpp"
#include "kernels/gemv_avx2.hpp"
#include "kernels/kernels.hpp"
#include "kernels/onednn_matmul.hpp"
#include "random_floats.hpp"
#include "read_bandwidth.hpp"

using nib::testing::random_floats;

namespace nk = nib::kernels;

namespace {

struct Shape {
  std::int64_t k, n;
};
// 0-2 and 6: GPT-2 124M's per-layer projections (attn c_proj, c_fc, mlp c_proj, c_attn).
const Shape kShapes[] = {{768, 768},   {768, 3072},  {3072, 768}, {960, 2560},
                         {2048, 2048}, {4096, 4096}, {768, 2304}};

constexpr std::size_t kPoolBytes = std::size_t{256} << 20;

// Enough copies of one weight matrix to exceed the caches; each call uses the next copy.
struct WeightPool {
  std::vector<float> data;
  std::size_t copies, floats;
  WeightPool(std::int64_t k, std::int64_t n, bool pooled) : floats(static_cast<std::size_t>(k * n)) {
    copies = pooled ? std::max<std::size_t>(1, kPoolBytes / (floats * sizeof(float))) : 1;
    const auto one = random_floats(floats, 1);
    data.resize(floats * copies);
    for (std::size_t c = 0; c < copies; ++c) std::memcpy(data.data() + c * floats, one.data(), floats * 4);
  }
  const float* get(std::size_t i) const { return data.data() + (i % copies) * floats; }
};

using Path = void (*)(const float*, std::int64_t, const nk::Weight&, const float*, float*, bool, std::int64_t,
                      std::int64_t);

void set_counters(benchmark::State& state, std::int64_t m, const Shape& s) {
  const double it = static_cast<double>(state.iterations());
  state.counters["GFLOP/s"] =
      benchmark::Counter(2.0 * double(m) * double(s.n) * double(s.k) * it / 1e9, benchmark::Counter::kIsRate);
  state.counters["GB/s"] =
      benchmark::Counter(4.0 * double(s.n) * double(s.k) * it / 1e9, benchmark::Counter::kIsRate);
}

// Args: shape index, M, layout (0 OutIn, 1 InOut).
template <Path path>
void run_path(benchmark::State& state) {
  const Shape s = kShapes[state.range(0)];
  const std::int64_t m = state.range(1);
  const auto layout = state.range(2) ? nk::Layout::InOut : nk::Layout::OutIn;
  const WeightPool pool(s.k, s.n, m <= 16);
  const auto x = random_floats(static_cast<std::size_t>(m * s.k), 2);
  const auto bias = random_floats(static_cast<std::size_t>(s.n), 3);
  std::vector<float> y(static_cast<std::size_t>(m * s.n));
  std::size_t i = 0;
  for (auto _ : state) {
    path(x.data(), m, {pool.get(i++), s.n, s.k, layout}, bias.data(), y.data(), false, s.k, s.n);
    benchmark::ClobberMemory();
  }
  set_counters(state, m, s);
  state.SetLabel(layout == nk::Layout::OutIn ? "OutIn" : "InOut");
}

double thread_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

// Decode-style M = 1 matmuls over rotating copies; GB/s from the bytes of the weights' own type.
// GB/s_cpu is over the calling thread's CPU time: with OMP_NUM_THREADS=1 what the kernel streams while
// it runs, comparable with BM_read_bandwidth/1's GB/s_cpu on a busy machine.
void run_views(benchmark::State& state, const Shape& s, const std::vector<nk::Weight>& views) {
  const auto x = random_floats(static_cast<std::size_t>(s.k), 2);
  std::vector<float> y(static_cast<std::size_t>(s.n));
  std::size_t i = 0;
  const double cpu0 = thread_cpu_seconds();
  for (auto _ : state) {
    nk::matmul(x.data(), 1, views[i++ % views.size()], nullptr, y.data());
    benchmark::ClobberMemory();
  }
  const double cpu = thread_cpu_seconds() - cpu0;
  const double bytes = double(nk::weight_bytes(views[0])) * static_cast<double>(state.iterations());
  state.counters["GB/s"] = benchmark::Counter(bytes / 1e9, benchmark::Counter::kIsRate);
  state.counters["GB/s_cpu"] = bytes / 1e9 / cpu;
}

void wrapper(const float* x, std::int64_t m, const nk::Weight& w, const float* b, float* y, bool acc,
             std::int64_t ldx, std::int64_t ldy) {
  nk::matmul(x, m, w, b, y, acc, ldx, ldy);
}

void BM_matmul(benchmark::State& state) {
  run_path<wrapper>(state);
}
void BM_gemv_avx2(benchmark::State& state) {
  run_path<nk::gemv::matmul>(state);
}
void BM_onednn_wrapper(benchmark::State& state) {
  run_path<nk::onednn::matmul>(state);
}

// M = 1 per weight storage type (Args: shape index, storage 0 f32 / 1 bf16 / 2 f16 / 3 int8 / 4 int4, layout,
// isa 0 AVX2 / 1 AVX-512 where the CPU has it, cached): GB/s counts the bytes of the type (int8 includes its
// scales), so every type can be set against the machine's read bandwidth (BM_read_bandwidth, run in
// the same binary). Copies of the packed weight rotate as in WeightPool; with cached = 1 one copy is
// reused, so a weight that fits the caches shows the kernel's compute ceiling instead.
void BM_gemv_storage(benchmark::State& state) {
  const Shape s = kShapes[state.range(0)];
  const auto storage = static_cast<nk::Storage>(state.range(1));
  const auto layout = state.range(2) ? nk::Layout::InOut : nk::Layout::OutIn;
  struct Limit {
    nk::Isa previous;
    ~Limit() { nk::set_isa_limit(previous); }
  } limit{nk::set_isa_limit(state.range(3) ? nk::Isa::Avx512Vnni : nk::Isa::Avx2)};
  if (state.range(3) && nk::active_isa() == nk::Isa::Avx2) return state.SkipWithError("no AVX-512 here");
  const bool cached = state.range(4) != 0;
  const auto f32 = random_floats(static_cast<std::size_t>(s.n * s.k), 1);
  std::vector<nk::PackedWeight> pool;
  std::vector<nk::Weight> views;
  if (storage == nk::Storage::F32) {
    const WeightPool p(s.k, s.n, !cached);
    for (std::size_t c = 0; c < p.copies; ++c) views.push_back({p.get(c), s.n, s.k, layout});
    state.SetLabel("f32 " + std::string(layout == nk::Layout::OutIn ? "OutIn" : "InOut"));
    run_views(state, s, views);
    return;
  }
  const auto one = nk::pack_weight(f32.data(), s.n, s.k, layout, storage);
  const auto bytes = static_cast<std::size_t>(nk::weight_bytes(one.view));
  pool.resize(cached ? 1 : std::max<std::size_t>(1, kPoolBytes / bytes), one);
  for (auto& p : pool) {
    nk::Weight w = one.view;
    w.data = nk::quantized(storage) ? static_cast<const void*>(p.q.data()) : p.half.data();
    views.push_back(w);
  }
  state.SetLabel(std::string(nk::storage_name(storage)) +
                 (layout == nk::Layout::OutIn ? " OutIn" : " InOut"));
  run_views(state, s, views);
}

// oneDNN's own peak: fixed M, weights in the blocked format it prefers (reordered once, outside
// the timing), bias included; the same probe `nib bench` uses. Args: shape index, M.
void BM_onednn_peak(benchmark::State& state) {
  const Shape s = kShapes[state.range(0)];
  const std::int64_t m = state.range(1);
  nib::probe::OnednnGemm gemm(m, s.k, s.n);
  for (auto _ : state) gemm.run();
  set_counters(state, m, s);
  state.SetLabel(std::string("oneDNN ") + gemm.impl_name());
}

void storage_args(benchmark::internal::Benchmark* b) {
  for (const int s : {3, 4})
    for (int t = 0; t < 5; ++t)
      for (const int layout : {0, 1})
        for (const int isa : {0, 1})
          if (t < 3 || layout == 0) b->Args({s, t, layout, isa, 0});  // int8, int4: always packed OutIn
  // GPT-2's Conv1D shapes: InOut next to OutIn per 16/32-bit storage (int8 is always packed OutIn).
  for (const int s : {0, 1, 2, 6})
    for (int t = 0; t < 3; ++t)
      for (const int layout : {0, 1})
        for (const int isa : {0, 1}) b->Args({s, t, layout, isa, 0});
  for (int t = 0; t < 5; ++t)
    for (const int layout : {0, 1})
      for (const int isa : {0, 1})
        if (t < 3 || layout == 0) b->Args({0, t, layout, isa, 1});  // 768², cache-resident
}
void matmul_args(benchmark::internal::Benchmark* b) {
  for (int s = 0; s < 7; ++s)
    for (const int m : {1, 16, 128, 512})
      for (const int layout : {0, 1}) b->Args({s, m, layout});
}
void crossover_args(benchmark::internal::Benchmark* b) {
  for (const int s : {1, 4})
    for (const int m : {1, 2, 3, 4, 8, 16})
      for (const int layout : {0, 1}) b->Args({s, m, layout});
}
void peak_args(benchmark::internal::Benchmark* b) {
  for (int s = 0; s < 6; ++s)
    for (const int m : {1, 16, 128, 512}) b->Args({s, m});
}

BENCHMARK(BM_matmul)->Apply(matmul_args)->ArgNames({"shape", "M", "layout"})->UseRealTime()->MinTime(0.2);
BENCHMARK(BM_gemv_storage)
    ->Apply(storage_args)
    ->ArgNames({"shape", "storage", "layout", "isa", "cached"})
    ->UseRealTime()
    ->MinTime(0.2);
using nib::bench::BM_read_bandwidth;
BENCHMARK(BM_read_bandwidth)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(1.0);
BENCHMARK(BM_onednn_peak)->Apply(peak_args)->ArgNames({"shape", "M"})->UseRealTime()->MinTime(0.2);
BENCHMARK(BM_gemv_avx2)
    ->Apply(crossover_args)
    ->ArgNames({"shape", "M", "layout"})
    ->UseRealTime()
    ->MinTime(0.2);
BENCHMARK(BM_onednn_wrapper)
    ->Apply(crossover_args)
    ->ArgNames({"shape", "M", "layout"})
    ->UseRealTime()
    ->MinTime(0.2);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
