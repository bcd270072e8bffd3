// LoRA adapter costs on a real-shape base (issue 6): decode tokens/s without and with one adapter
// (measured alternately in the same benchmark so machine noise hits both), the time to switch a
// session's adapter, and resident memory with 20 adapters loaded next to the base alone.
// Inputs: NIB_BENCH_MODEL (default build/bench-models/smollm2-360m) and NIB_BENCH_ADAPTERS (a folder
// of adapter-NN folders written by bench/make-random-adapters; default <model>-adapters).
#include <benchmark/benchmark.h>

#include <nib/adapter.hpp>
#include <nib/model.hpp>
#include <nib/session.hpp>

#include <unistd.h>
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <vector>

namespace fs = std::filesystem;

namespace {

constexpr int kThreads = 2;
constexpr int kNewTokens = 32;
constexpr std::size_t kAdapters = 20;

fs::path env_path(const char* name, const fs::path& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? fs::path(v) : fallback;
}

struct Fixture {
  nib::Model model;
  std::vector<nib::Adapter> adapters;
  double rss_base_mb = 0, rss_adapters_mb = 0;
};

double rss_mb() {
  std::ifstream statm("/proc/self/statm");
  long pages_total = 0, pages_resident = 0;
  statm >> pages_total >> pages_resident;
  return static_cast<double>(pages_resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / (1 << 20);
}

nib::Generation decode(nib::Session& s, int new_tokens = kNewTokens) {
  const std::vector<nib::TokenId> prompt = {1, 504, 3458, 282, 260, 1142, 30, 2113, 314, 253, 1771, 28, 355};
  nib::GenerateOptions o;
  o.max_new_tokens = new_tokens;
  o.stop_at_eos = false;
  s.reset();
  return s.generate_ids(prompt, o);
}

// Loaded once: the base, one token decoded to make its weights resident, then the adapters, each
// used for one token so anything prepared lazily is counted in the resident size.
Fixture& fixture() {
  static std::optional<Fixture> f;
  if (f) return *f;
  const fs::path model_dir = env_path("NIB_BENCH_MODEL", "build/bench-models/smollm2-360m");
  const fs::path adapter_dir = env_path("NIB_BENCH_ADAPTERS", model_dir.string() + "-adapters");
  f.emplace(Fixture{nib::Model::load(model_dir), {}, 0, 0});
  nib::Session s(f->model, {.threads = kThreads});
  decode(s, 1);
  f->rss_base_mb = rss_mb();
  for (std::size_t i = 0; i < kAdapters; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "adapter-%02zu", i);
    f->adapters.push_back(nib::Adapter::load(f->model, adapter_dir / name));
    const nib::AdapterRef ref{f->adapters.back(), 1.f};
    s.use_adapters(std::span(&ref, 1));
    decode(s, 1);
  }
  f->rss_adapters_mb = rss_mb();
  return *f;
}

// Each iteration decodes kNewTokens without an adapter and with adapter 0 (r = 8 on q, k, v, o),
// in alternating order; the counters are the two rates and the adapter's overhead in percent.
void BM_decode_adapter_overhead(benchmark::State& state) {
  auto& f = fixture();
  nib::Session base(f.model, {.threads = kThreads});
  nib::Session tuned(f.model, {.threads = kThreads});
  const nib::AdapterRef ref{f.adapters.front(), 1.f};
  tuned.use_adapters(std::span(&ref, 1));
  double base_ms = 0, tuned_ms = 0;
  bool base_first = true;
  for (auto _ : state) {
    if (base_first) base_ms += decode(base).stats.decode_ms;
    tuned_ms += decode(tuned).stats.decode_ms;
    if (!base_first) base_ms += decode(base).stats.decode_ms;
    base_first = !base_first;
  }
  const double tokens = static_cast<double>(kNewTokens) * static_cast<double>(state.iterations());
  state.counters["base_tok_s"] = 1000.0 * tokens / base_ms;
  state.counters["adapter_tok_s"] = 1000.0 * tokens / tuned_ms;
  state.counters["overhead_pct"] = 100.0 * (tuned_ms / base_ms - 1.0);
}

// One use_adapters call replacing the session's adapter with another of the 20 (the next call then
// re-reads the prompt, as the cache belonged to the old adapter; that cost is decode's, not this).
void BM_switch_adapter(benchmark::State& state) {
  auto& f = fixture();
  nib::Session s(f.model, {.threads = kThreads});
  decode(s);
  std::size_t i = 0;
  for (auto _ : state) {
    const nib::AdapterRef ref{f.adapters[i++ % f.adapters.size()], 1.f};
    s.use_adapters(std::span(&ref, 1));
  }
  state.SetItemsProcessed(state.iterations());
}

// Resident memory: the base alone (weights touched by a decode) and with 20 adapters loaded.
void BM_resident_memory(benchmark::State& state) {
  auto& f = fixture();
  for (auto _ : state) benchmark::DoNotOptimize(f.adapters.size());
  state.counters["rss_base_mb"] = f.rss_base_mb;
  state.counters["rss_20_adapters_mb"] = f.rss_adapters_mb;
  state.counters["per_adapter_mb"] = (f.rss_adapters_mb - f.rss_base_mb) / static_cast<double>(kAdapters);
}

}  // namespace

BENCHMARK(BM_decode_adapter_overhead)->Unit(benchmark::kMillisecond)->Iterations(6)->UseRealTime();
BENCHMARK(BM_switch_adapter)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_resident_memory)->Iterations(1);

BENCHMARK_MAIN();
