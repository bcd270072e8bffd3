// kernels::attention in the shapes the models run: BERT-base encoder rows (T = 128, 12 heads of 64,
// bidirectional), GPT-2 / SmolLM2 causal prefill chunks of 512, and decode (one query over a KV
// cache), with f32 and f16 keys/values (BM_attention_f16: an f16 KV cache). Counter: GFLOP/s of QKᵀ
// and PV (2·2·head_dim per visible (query, key) pair per head).
#include <benchmark/benchmark.h>

#include <vector>

#include "kernels/kernels.hpp"
#include "random_floats.hpp"

using nib::testing::random_floats;

namespace nk = nib::kernels;

namespace {

// Args: n_q, n_kv, heads, kv_heads, causal.
template <nk::Storage KV>
void BM_attention(benchmark::State& state) {
  nk::AttentionShape s;
  s.n_q = state.range(0);
  s.n_kv = state.range(1);
  s.n_heads = state.range(2);
  s.n_kv_heads = state.range(3);
  s.causal = state.range(4) != 0;
  s.head_dim = 64;
  s.q_stride = s.out_stride = s.n_heads * s.head_dim;
  s.kv_stride = s.n_kv_heads * s.head_dim;
  s.q_pos0 = s.causal ? s.n_kv - s.n_q : 0;
  const auto q = random_floats(s.n_q * s.q_stride, 1), k = random_floats(s.n_kv * s.kv_stride, 2),
             v = random_floats(s.n_kv * s.kv_stride, 3);
  std::vector<std::uint16_t> k16(k.size()), v16(v.size());
  nk::f32_to_f16(k.data(), k16.data(), static_cast<std::int64_t>(k.size()));
  nk::f32_to_f16(v.data(), v16.data(), static_cast<std::int64_t>(v.size()));
  std::vector<float> out(static_cast<std::size_t>(s.n_q * s.out_stride));
  std::vector<float> scratch(static_cast<std::size_t>(nk::attention_scratch_floats(s, KV)));
  for (auto _ : state) {
    if constexpr (KV == nk::Storage::F16)
      nk::attention(q.data(), k16.data(), v16.data(), s, out.data(), scratch.data());
    else
      nk::attention(q.data(), k.data(), v.data(), s, out.data(), scratch.data());
    benchmark::ClobberMemory();
  }
  double pairs = 0;
  for (std::int64_t i = 0; i < s.n_q; ++i) pairs += s.causal ? double(s.q_pos0 + i + 1) : double(s.n_kv);
  state.counters["GFLOP/s"] =
      benchmark::Counter(4.0 * pairs * double(s.n_heads * s.head_dim) * double(state.iterations()) / 1e9,
                         benchmark::Counter::kIsRate);
}

BENCHMARK(BM_attention<nk::Storage::F32>)
    ->Name("BM_attention")
    ->Args({128, 128, 12, 12, 0})  // BERT-base, one sequence of a batch
    ->Args({512, 512, 12, 12, 1})  // GPT-2 124M prefill of 512
    ->Args({512, 512, 15, 5, 1})   // SmolLM2-360M prefill of 512
    ->Args({1, 512, 12, 12, 1})    // GPT-2 decode after 511 tokens
    ->Args({1, 512, 15, 5, 1})     // SmolLM2 decode
    ->Args({1, 2048, 15, 5, 1})    // SmolLM2 decode at a long context
    ->ArgNames({"n_q", "n_kv", "heads", "kv_heads", "causal"})
    ->UseRealTime()
    ->MinTime(0.2);

// The causal shapes again over an f16 KV cache.
BENCHMARK(BM_attention<nk::Storage::F16>)
    ->Name("BM_attention_f16")
    ->Args({512, 512, 15, 5, 1})
    ->Args({1, 512, 12, 12, 1})
    ->Args({1, 512, 15, 5, 1})
    ->Args({1, 2048, 15, 5, 1})
    ->ArgNames({"n_q", "n_kv", "heads", "kv_heads", "causal"})
    ->UseRealTime()
    ->MinTime(0.2);

}  // namespace

BENCHMARK_MAIN();
