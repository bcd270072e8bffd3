// The KV cache path: decoding one token at a time equals the whole-sequence forward, a reused
// prefix gives the same logits as a fresh run (within the goldens' tolerance: matmuls of different
// row counts sum in different orders), and decode steps allocate nothing.
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

const std::vector<TokenId> kOnce{1, 403, 407, 261, 378};

std::vector<TokenId> greedy_ids(const nib::Model& m, int n) {
  nib::GenerateOptions o;
  o.max_new_tokens = n;
  o.stop_at_eos = false;
  auto g = nib::Session(m).generate_ids(kOnce, o);
  std::vector<TokenId> all = kOnce;
  all.insert(all.end(), g.ids.begin(), g.ids.end());
  return all;
}

void check_decode_equals_full_forward(const std::string& folder) {
  CAPTURE(folder);
  auto m = nib::Model::load(nib::test::shared_path("models/" + folder));
  const auto seq = greedy_ids(m, 20);
  std::vector<std::int64_t> all(seq.size());
  for (std::size_t i = 0; i < seq.size(); ++i) all[i] = static_cast<std::int64_t>(i);
  auto full = nib::Session(m).logits(seq, all);

  nib::detail::CausalRuntime rt(m.impl(), {});
  rt.feed(std::span(seq).first(1), nullptr, {});
  nib::test::check_close(rt.logits, full[0]);
  for (std::size_t i = 1; i < seq.size(); ++i) {
    rt.step(seq[i], nullptr);
    CAPTURE(i);
    nib::test::check_close(rt.logits, full[i]);
  }
}

}  // namespace

TEST_CASE("KV-cache decoding equals the whole-sequence forward") {
  check_decode_equals_full_forward("stories260K");
  check_decode_equals_full_forward("tiny-llama");
  check_decode_equals_full_forward("tiny-gpt2");
}

TEST_CASE("a reused cached prefix gives the logits of a fresh run") {
  auto m = nib::Model::load(nib::test::shared_path("models/stories260K"));
  const auto seq = greedy_ids(m, 30);
  nib::detail::CausalRuntime warm(m.impl(), {}), fresh(m.impl(), {});
  CHECK(warm.feed(std::span(seq).first(12), nullptr, {}) == 0);
  CHECK(warm.feed(seq, nullptr, {}) == 12);
  CHECK(fresh.feed(seq, nullptr, {}) == 0);
  nib::test::check_close(warm.logits, fresh.logits);
  // A diverging prompt reuses only the common prefix.
  auto other = seq;
  other[20] = 300;
  CHECK(warm.feed(other, nullptr, {}) == 20);

  // Through the Session: continuing prompt + generated ids reuses all but the last sampled token.
  nib::Session s(m);
  nib::GenerateOptions o;
  o.max_new_tokens = 10;
  o.stop_at_eos = false;
  auto first = s.generate_ids(kOnce, o);
  auto next_prompt = kOnce;
  next_prompt.insert(next_prompt.end(), first.ids.begin(), first.ids.end());
  auto second = s.generate_ids(next_prompt, o);
  CHECK(second.stats.reused_tokens == static_cast<std::int64_t>(next_prompt.size()) - 1);
  CHECK(second.ids == nib::Session(m).generate_ids(next_prompt, o).ids);
}

TEST_CASE("decode steps and sampling allocate nothing") {
  // Every weight type: each has its own decode kernel with per-thread buffers.
  for (const auto weights :
       {nib::WeightType::F32, nib::WeightType::BF16, nib::WeightType::F16, nib::WeightType::Int8})
    for (const char* folder : {"stories260K", "tiny-gpt2"}) {
      CAPTURE(folder);
      CAPTURE(static_cast<int>(weights));
      nib::LoadOptions lo;
      lo.weights = weights;
      auto m = nib::Model::load(nib::test::shared_path(std::string("models/") + folder), lo);
      nib::detail::CausalRuntime rt(m.impl(), {});
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
