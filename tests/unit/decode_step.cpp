// The fused decode step (one parallel region per token, see models::DecodeStep) against the
// reference layer path: identical logits after every step at 1 and 2 threads, for every weight
// type and both KV cache types, on the shared Llama and GPT-2 models (run with the whole team even
// though they are small, so the per-thread shares, barriers and the head-aligned key split are
// exercised); with LoRA-free sessions only, since adapters take the reference path.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include <nib/model.hpp>

#include "kernels/kernels.hpp"
#include "models/decoder_lm.hpp"
#include "runtime/causal_runtime.hpp"
#include "runtime/model_impl.hpp"
#include "shared_data.hpp"

namespace {

using nib::TokenId;
using nib::models::DecodeStep;

// Restores the process-wide settings a test changes.
struct Restore {
  ~Restore() {
    nib::models::set_decode_step(DecodeStep::Fused);
    nib::kernels::set_num_threads(0);
  }
};

// Logits after the prompt and after each of `steps` greedy decode steps, with the decode step `mode`.
std::vector<std::vector<float>> decode_logits(const nib::Model& m, nib::KvCacheType kv, DecodeStep mode,
                                              int steps) {
  const DecodeStep before = nib::models::set_decode_step(mode);
  nib::SessionOptions so;
  so.kv_cache = kv;
  nib::detail::CausalRuntime rt(m.impl(), so);
  const std::vector<TokenId> prompt{1, 403, 407, 261, 378};
  rt.feed(prompt, nullptr, {});
  std::vector<std::vector<float>> out{rt.logits};
  for (int i = 0; i < steps; ++i) {
    const auto next = std::max_element(rt.logits.begin(), rt.logits.end()) - rt.logits.begin();
    rt.step(static_cast<TokenId>(next), nullptr);
    out.push_back(rt.logits);
  }
  nib::models::set_decode_step(before);
  return out;
}

}  // namespace

TEST_CASE("decode step: the fused step equals the reference step (threads x weights x KV cache)") {
  Restore restore;
  for (const std::string folder : {"stories260K", "tiny-llama", "tiny-gpt2"})
    for (const auto weights : {nib::WeightType::F32, nib::WeightType::BF16, nib::WeightType::F16,
                               nib::WeightType::Int8, nib::WeightType::Int4}) {
      nib::LoadOptions lo;
      lo.weights = weights;
      const auto m = nib::Model::load(nib::test::shared_path("models/" + folder), lo);
      for (const auto kv : {nib::KvCacheType::F32, nib::KvCacheType::F16})
        for (const int threads : {1, 2}) {
          CAPTURE(folder);
          CAPTURE(static_cast<int>(weights));
          CAPTURE(static_cast<int>(kv));
          CAPTURE(threads);
          nib::kernels::set_num_threads(threads);
          const auto ref = decode_logits(m, kv, DecodeStep::Reference, 12);
          const auto fused = decode_logits(m, kv, DecodeStep::FusedAlways, 12);
          REQUIRE(ref.size() == fused.size());
          // Each output is computed by the same kernels in the same order (the per-block sums of
          // InOut projections included): the logits are identical.
          for (std::size_t t = 0; t < ref.size(); ++t) {
            CAPTURE(t);
            CHECK(ref[t] == fused[t]);
          }
        }
    }
}
