// SessionOptions::kv_cache through the session's features: an f16 cache halves the KV cache's
// memory reservation (and fits a cap an f32 one does not), a bad value is refused, and prefix reuse,
// drop-oldest, reset, scoring / choose, causal embeddings and LoRA adapters all run on it with
// results close to the f32 cache's; `nib generate --kv-cache f16` uses it and refuses other types.
#include <doctest/doctest.h>

#include <nib/adapter.hpp>
#include <nib/error.hpp>
#include <nib/model.hpp>
#include <nib/session.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "io/json.hpp"
#include "kernels/kernels.hpp"
#include "run_cli.hpp"
#include "runtime/model_impl.hpp"
#include "shared_data.hpp"
#include "stories.hpp"

namespace {

using nib::test::greedy;
using nib::test::kOnce;

using nib::KvCacheType;
using nib::TokenId;

nib::Model load(const std::string& folder, std::uint64_t cap = 0) {
  nib::LoadOptions o;
  o.threads = 1;
  o.max_memory_bytes = cap;
  return nib::Model::load(nib::test::shared_path("models/" + folder), o);
}

nib::SessionOptions options(KvCacheType kv, std::int64_t n_ctx = 0) {
  nib::SessionOptions o;
  o.kv_cache = kv;
  o.n_ctx = n_ctx;
  return o;
}

double max_diff(const std::vector<float>& a, const std::vector<float>& b) {
  REQUIRE(a.size() == b.size());
  double d = 0;
  for (std::size_t i = 0; i < a.size(); ++i) d = std::max(d, double(std::abs(a[i] - b[i])));
  return d;
}

// The bytes a session of `model` reserves in its model's memory budget once it has run.
std::uint64_t reserved(const nib::Model& model, const nib::SessionOptions& o) {
  const auto before = model.impl().memory().used();
  nib::Session s(model, o);
  s.generate_ids(kOnce, greedy(1));
  return model.impl().memory().used() - before;
}

}  // namespace

TEST_CASE("an f16 KV cache halves the cache's memory reservation") {
  const auto m = load("stories260K");
  const auto& info = m.info();
  const std::int64_t n_ctx = 512, batch = 512, kv_dim = info.num_kv_heads * info.head_dim;
  const auto r32 = reserved(m, options(KvCacheType::F32, n_ctx));
  const auto r16 = reserved(m, options(KvCacheType::F16, n_ctx));
  // Keys + values of every layer and position, 4 bytes each in f32.
  const std::uint64_t cache32 = 2 * sizeof(float) * std::uint64_t(info.num_layers * n_ctx * kv_dim);
  // What an f16 session holds besides: per-thread room to widen one head's keys and values for the
  // prefill blocks (both hold the f32 staging rows of one prefill chunk's new keys and values).
  nib::kernels::AttentionShape as;
  as.n_q = batch;
  as.n_kv = n_ctx;
  as.n_heads = info.num_heads;
  as.n_kv_heads = info.num_kv_heads;
  as.head_dim = info.head_dim;
  const auto widen =
      sizeof(float) * std::uint64_t(nib::kernels::attention_scratch_floats(as, nib::kernels::Storage::F16) -
                                    nib::kernels::attention_scratch_floats(as));
  MESSAGE("n_ctx 512: f32 session reserves " << r32 << " bytes (cache " << cache32 << "), f16 " << r16);
  CHECK(r32 > cache32);
  CHECK(r16 == r32 - cache32 / 2 + widen);

  // A cap that holds the f16 session's state but not the f32 one's.
  const auto weights = load("stories260K").impl().memory().used();
  const auto capped = load("stories260K", weights + r16);
  CHECK_NOTHROW(nib::Session(capped, options(KvCacheType::F16, n_ctx)).generate_ids(kOnce, greedy(2)));
  try {
    nib::Session(capped, options(KvCacheType::F32, n_ctx)).generate_ids(kOnce, greedy(2));
    FAIL("an f32 cache fit a cap sized for the f16 one");
  } catch (const nib::Error& e) {
    CHECK(e.status() == nib::Status::OutOfMemory);
  }
}

TEST_CASE("a KvCacheType outside the enum is refused with InvalidArgument") {
  const auto m = load("stories260K");
  try {
    nib::Session s(m, options(static_cast<KvCacheType>(7)));
    FAIL("accepted kv_cache 7");
  } catch (const nib::Error& e) {
    CHECK(e.status() == nib::Status::InvalidArgument);
    CHECK(std::string(e.what()).find("SessionOptions.kv_cache 7") != std::string::npos);
  }
}

TEST_CASE(
    "f16 KV cache: drop-oldest, prefix reuse across prompts and reset give f32's tokens on stories260K") {
  const auto m = load("stories260K");
  // A 16-token context that fills while generating: drop the oldest and go on.
  auto so32 = options(KvCacheType::F32, 16), so16 = options(KvCacheType::F16, 16);
  so32.drop_oldest_on_overflow = so16.drop_oldest_on_overflow = true;
  const auto ref = nib::Session(m, so32).generate_ids(kOnce, greedy(50));
  nib::Session s16(m, so16);
  const auto got = s16.generate_ids(kOnce, greedy(50));
  CHECK(got.stop_reason == nib::StopReason::MaxTokens);
  CHECK(got.ids == ref.ids);
  // A prompt longer than the context keeps its newest tokens.
  std::vector<TokenId> long_prompt(20, 403);
  long_prompt[0] = 1;
  CHECK(s16.generate_ids(long_prompt, greedy(4)).ids ==
        nib::Session(m, so32).generate_ids(long_prompt, greedy(4)).ids);

  // Prefix reuse: a prompt that continues the last one feeds only its new tokens.
  nib::Session a(m, options(KvCacheType::F16)), b(m, options(KvCacheType::F32));
  const auto first = a.generate_ids(kOnce, greedy(20));
  CHECK(first.ids == b.generate_ids(kOnce, greedy(20)).ids);
  auto next = kOnce;
  next.insert(next.end(), first.ids.begin(), first.ids.end());
  const auto second = a.generate_ids(next, greedy(20));
  CHECK(second.stats.reused_tokens == static_cast<std::int64_t>(next.size()) - 1);
  CHECK(second.ids == b.generate_ids(next, greedy(20)).ids);
  // reset() forgets the cache: the same prompt runs from scratch and gives the same tokens.
  a.reset();
  const auto again = a.generate_ids(next, greedy(20));
  CHECK(again.stats.reused_tokens == 0);
  CHECK(again.ids == second.ids);
}

TEST_CASE("f16 KV cache: scoring and choose match the f32 cache's") {
  const auto m = load("stories260K");
  nib::Session s16(m, options(KvCacheType::F16)), s32(m, options(KvCacheType::F32));
  const std::string prompt = "Once upon a time, there was a little girl named Lily. She";
  const std::vector<std::string> choices = {" loved to play outside.", " green the of jumped.",
                                            " was happy."};
  const auto a = s16.score(prompt, choices), b = s32.score(prompt, choices);
  double worst = 0;
  for (std::size_t i = 0; i < choices.size(); ++i) {
    CHECK(a[i].ids == b[i].ids);
    worst = std::max(worst, std::abs(a[i].logprob - b[i].logprob));
  }
  MESSAGE("max |logprob f16 - f32| over the continuations: " << worst);
  CHECK(worst < 0.03);  // measured 0.0100 (sums over 2-6 tokens)
  const auto c16 = s16.choose(prompt, choices), c32 = s32.choose(prompt, choices);
  auto best = [](const std::vector<nib::Choice>& c) {
    return std::max_element(c.begin(), c.end(),
                            [](auto& x, auto& y) { return x.probability < y.probability; }) -
           c.begin();
  };
  CHECK(best(c16) == best(c32));
}

TEST_CASE("f16 KV cache: causal embeddings (forward_hidden) and LoRA adapters") {
  for (const std::string folder : {"tiny-llama", "tiny-gpt2"}) {
    CAPTURE(folder);
    const auto m = load(folder);
    nib::Session s16(m, options(KvCacheType::F16)), s32(m, options(KvCacheType::F32));
    const std::string text = "Once upon a time there was a cat";
    for (const auto pooling : {nib::Pooling::Mean, nib::Pooling::LastToken}) {
      const auto e16 = s16.embed(text, {pooling, false}), e32 = s32.embed(text, {pooling, false});
      const double d = max_diff(e16, e32);
      MESSAGE("embedding max |f16 - f32| = " << d);
      CHECK(d < 1e-2);  // measured 0.0014
    }
  }
  // tiny-llama with its lora-a adapter: the same continuation, logits close to f32's.
  const auto m = load("tiny-llama");
  const nib::AdapterRef lora{
      nib::Adapter::load(m, nib::test::shared_path("models/tiny-llama/adapters/lora-a")), 1.f};
  nib::Session s16(m, options(KvCacheType::F16)), s32(m, options(KvCacheType::F32));
  s16.use_adapters(std::span(&lora, 1));
  s32.use_adapters(std::span(&lora, 1));
  std::vector<TokenId> seq = kOnce;
  for (int i = 0; i < 30; ++i) seq.push_back(static_cast<TokenId>((i * 37 + 11) % 500));
  std::vector<std::int64_t> rows(seq.size());
  std::iota(rows.begin(), rows.end(), 0);
  const auto l16 = s16.logits(seq, rows), l32 = s32.logits(seq, rows);
  double worst = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) worst = std::max(worst, max_diff(l16[i], l32[i]));
  MESSAGE("tiny-llama + lora-a: max |logit f16 - f32| = " << worst);
  CHECK(worst < 0.05);  // measured 0.0091
  CHECK(worst > 0);     // the adapter's session really used the f16 cache
}

TEST_CASE("nib generate --kv-cache f16 keeps stories260K's greedy golden; other types are usage errors") {
  const auto dir = nib::test::shared_path("models/stories260K");
  auto g = nib::io::read_json_file(dir / "golden/greedy.json");
  const auto& c = g["prompts"][0];
  const auto out = nlohmann::json::parse(nib::test::run_cli(
      "generate -m '" + dir.string() + "' --kv-cache f16 --temperature 0 -n 64 --ignore-eos --json -p '" +
      c["prompt"].get<std::string>() + "'"));
  CHECK(out["ids"] == c["generated_ids"]);
  nib::test::run_cli("generate -m '" + dir.string() + "' --kv-cache bf16 -p 'x'", 105);
}
