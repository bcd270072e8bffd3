// The KV cache path, with f32 and f16 caches: decoding one token at a time equals the
// whole-sequence forward, a reused prefix gives the same logits as a fresh run (within the goldens'
// tolerance: matmuls of different row counts sum in different orders), and decode steps allocate
// nothing.
#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include <nib/model.hpp>
#include <nib/session.hpp>

#include "logits_check.hpp"
#include "runtime/causal_runtime.hpp"
#include "runtime/model_impl.hpp"
#include "runtime/sampler.hpp"
#include "shared_data.hpp"
#include "stories.hpp"

// Counts every allocation of this test binary while `g_counting` is set.
namespace {
std::atomic<bool> g_counting{false};
std::atomic<long> g_allocations{0};
}  // namespace

void* operator new(std::size_t n) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

namespace {

using nib::TokenId;
using nib::test::kOnce;

constexpr nib::KvCacheType kKvTypes[] = {nib::KvCacheType::F32, nib::KvCacheType::F16};

nib::SessionOptions with_cache(nib::KvCacheType kv) {
  nib::SessionOptions o;
  o.kv_cache = kv;
  return o;
}

std::vector<TokenId> greedy_ids(const nib::Model& m, int n, nib::KvCacheType kv = nib::KvCacheType::F32) {
  nib::GenerateOptions o;
  o.max_new_tokens = n;
  o.stop_at_eos = false;
  auto g = nib::Session(m, with_cache(kv)).generate_ids(kOnce, o);
  std::vector<TokenId> all = kOnce;
  all.insert(all.end(), g.ids.begin(), g.ids.end());
  return all;
}

// An f16 cache rounds each key/value to 11 bits: projections of different row counts differ in
// their last f32 bits, which sends a few of them to neighbouring halves, so two paths agree only to
// the f16 cache's own accuracy (measured: at most 0.0051 on these models).
double tolerance(nib::KvCacheType kv) {
  return kv == nib::KvCacheType::F16 ? 0.02 : 1e-4;
}

void check_decode_equals_full_forward(const std::string& folder, nib::KvCacheType kv) {
  CAPTURE(folder);
  CAPTURE(static_cast<int>(kv));
  auto m = nib::Model::load(nib::test::shared_path("models/" + folder));
  const auto seq = greedy_ids(m, 20, kv);
  std::vector<std::int64_t> all(seq.size());
  for (std::size_t i = 0; i < seq.size(); ++i) all[i] = static_cast<std::int64_t>(i);
  auto full = nib::Session(m, with_cache(kv)).logits(seq, all);

  nib::detail::CausalRuntime rt(m.impl(), with_cache(kv));
  const double atol = tolerance(kv);
  rt.feed(std::span(seq).first(1), nullptr, {});
  nib::test::check_close(rt.logits, full[0], atol);
  for (std::size_t i = 1; i < seq.size(); ++i) {
    rt.step(seq[i], nullptr);
    CAPTURE(i);
    nib::test::check_close(rt.logits, full[i], atol);
  }
}

}  // namespace

TEST_CASE("KV-cache decoding equals the whole-sequence forward") {
  for (const auto kv : kKvTypes) {
    check_decode_equals_full_forward("stories260K", kv);
    check_decode_equals_full_forward("tiny-llama", kv);
    check_decode_equals_full_forward("tiny-gpt2", kv);
  }
}

TEST_CASE("a reused cached prefix gives the logits of a fresh run") {
  for (const auto kv : kKvTypes) {
    CAPTURE(static_cast<int>(kv));
    auto m = nib::Model::load(nib::test::shared_path("models/stories260K"));
    const auto seq = greedy_ids(m, 30, kv);
    nib::detail::CausalRuntime warm(m.impl(), with_cache(kv)), fresh(m.impl(), with_cache(kv));
    CHECK(warm.feed(std::span(seq).first(12), nullptr, {}) == 0);
    CHECK(warm.feed(seq, nullptr, {}) == 12);
    CHECK(fresh.feed(seq, nullptr, {}) == 0);
    nib::test::check_close(warm.logits, fresh.logits, tolerance(kv));
    // A diverging prompt reuses only the common prefix.
    auto other = seq;
    other[20] = 300;
    CHECK(warm.feed(other, nullptr, {}) == 20);

    // Through the Session: continuing prompt + generated ids reuses all but the last sampled token.
    nib::Session s(m, with_cache(kv));
    nib::GenerateOptions o;
    o.max_new_tokens = 10;
    o.stop_at_eos = false;
    auto first = s.generate_ids(kOnce, o);
    auto next_prompt = kOnce;
    next_prompt.insert(next_prompt.end(), first.ids.begin(), first.ids.end());
    auto second = s.generate_ids(next_prompt, o);
    CHECK(second.stats.reused_tokens == static_cast<std::int64_t>(next_prompt.size()) - 1);
    CHECK(second.ids == nib::Session(m, with_cache(kv)).generate_ids(next_prompt, o).ids);
  }
}

TEST_CASE("decode steps and sampling allocate nothing") {
  // Every weight type (each has its own decode kernel with per-thread buffers) and KV cache type.
  for (const auto weights : {nib::WeightType::F32, nib::WeightType::BF16, nib::WeightType::F16,
                             nib::WeightType::Int8, nib::WeightType::Int4})
    for (const auto kv : kKvTypes)
      for (const char* folder : {"stories260K", "tiny-gpt2"}) {
        CAPTURE(folder);
        CAPTURE(static_cast<int>(weights));
        CAPTURE(static_cast<int>(kv));
        nib::LoadOptions lo;
        lo.weights = weights;
        auto m = nib::Model::load(nib::test::shared_path(std::string("models/") + folder), lo);
        nib::detail::CausalRuntime rt(m.impl(), with_cache(kv));
        nib::SamplingOptions so;
        so.temperature = 0.8f;
        so.top_k = 40;
        so.top_p = 0.9f;
        so.min_p = 0.01f;
        so.repetition_penalty = 1.1f;
        nib::detail::Sampler sampler(so, rt.vocab());
        std::vector<TokenId> history = kOnce;
        history.reserve(200);
        rt.feed(kOnce, nullptr, {});
        auto decode = [&](int steps) {
          for (int i = 0; i < steps; ++i) {
            TokenId t = sampler.sample(rt.logits, history);
            history.push_back(t);
            rt.step(t, nullptr);
          }
        };
        decode(4);  // warm-up: per-thread kernel buffers
        g_allocations = 0;
        g_counting = true;
        decode(64);
        g_counting = false;
        CHECK(g_allocations.load() == 0);
      }
}
