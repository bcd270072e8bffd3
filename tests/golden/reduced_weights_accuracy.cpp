// Accuracy of the reduced weight types against f32 on the shared Llama models: over every position of
// the golden sequences (prompt + golden continuation), the share of positions whose next-token argmax
// agrees with f32 and the mean KL(p_f32 || p_reduced). Bounds: int8 top-1 >= 99%, KL <= 0.01; the
// 16-bit types tighter (f16's 11-bit mantissa much tighter than bf16's 8); int4 looser.
#include <doctest/doctest.h>

#include <nib/adapter.hpp>
#include <nib/model.hpp>
#include <nib/session.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "io/json.hpp"
#include "shared_data.hpp"

namespace {

using nib::TokenId;

std::vector<std::vector<TokenId>> golden_sequences(const std::string& model) {
  std::vector<std::vector<TokenId>> out;
  if (model == "stories260K") {
    auto g = nib::io::read_json_file(nib::test::shared_path("models/stories260K/golden/greedy.json"));
    for (const auto& c : g["prompts"]) {
      auto ids = c["input_ids"].get<std::vector<TokenId>>();
      for (auto id : c["generated_ids"]) ids.push_back(id.get<TokenId>());
      out.push_back(ids);
    }
  } else {
    auto g = nib::io::read_json_file(nib::test::shared_path("models/" + model + "/golden/causal_lm.json"));
    for (const auto& c : g["cases"]) {
      auto ids = c["input_ids"].get<std::vector<TokenId>>();
      for (auto id : c["greedy_new_ids"]) ids.push_back(id.get<TokenId>());
      out.push_back(ids);
    }
  }
  return out;
}

std::vector<double> log_softmax(const std::vector<float>& z) {
  const double mx = *std::max_element(z.begin(), z.end());
  double sum = 0;
  for (float v : z) sum += std::exp(double(v) - mx);
  std::vector<double> out(z.size());
  for (std::size_t i = 0; i < z.size(); ++i) out[i] = double(z[i]) - mx - std::log(sum);
  return out;
}

// f32's top-1 must lead its runner-up by this many logits for a position to count as decided:
// tiny-llama has random weights, so many of its next-token distributions are near ties (margins of
// 0.003-0.11 logits) whose argmax any rounding of the weights may flip.
constexpr float kDecided = 0.25f;

struct Agreement {
  double top1_all = 0, top1_decided = 0, mean_kl = 0;
  int positions = 0, decided = 0;
};

// With `adapter` (a folder under the model's adapters/), both sessions apply that LoRA adapter.
Agreement compare(const std::string& model, nib::WeightType type, const std::string& adapter = "") {
  const auto dir = nib::test::shared_path("models/" + model);
  nib::LoadOptions f32_options, reduced_options;
  f32_options.weights = nib::WeightType::F32;
  reduced_options.weights = type;
  const auto f32_model = nib::Model::load(dir, f32_options),
             reduced_model = nib::Model::load(dir, reduced_options);
  nib::Session ref(f32_model), red(reduced_model);
  if (!adapter.empty()) {
    const nib::AdapterRef a{nib::Adapter::load(f32_model, dir / "adapters" / adapter), 1.f};
    const nib::AdapterRef b{nib::Adapter::load(reduced_model, dir / "adapters" / adapter), 1.f};
    ref.use_adapters(std::span(&a, 1));
    red.use_adapters(std::span(&b, 1));
  }
  Agreement a;
  int agree = 0, agree_decided = 0;
  double kl = 0;
  for (const auto& seq : golden_sequences(model)) {
    std::vector<std::int64_t> all(seq.size());
    std::iota(all.begin(), all.end(), 0);
    ref.reset();
    red.reset();
    const auto lr = ref.logits(seq, all), lq = red.logits(seq, all);
    for (std::size_t p = 0; p < seq.size(); ++p) {
      const auto best = std::max_element(lr[p].begin(), lr[p].end()) - lr[p].begin();
      const bool same = best == std::max_element(lq[p].begin(), lq[p].end()) - lq[p].begin();
      float runner_up = -INFINITY;
      for (std::size_t i = 0; i < lr[p].size(); ++i)
        if (static_cast<std::ptrdiff_t>(i) != best) runner_up = std::max(runner_up, lr[p][i]);
      agree += same;
      if (lr[p][best] - runner_up > kDecided) {
        ++a.decided;
        agree_decided += same;
      }
      const auto a_log = log_softmax(lr[p]), b_log = log_softmax(lq[p]);
      for (std::size_t i = 0; i < a_log.size(); ++i) kl += std::exp(a_log[i]) * (a_log[i] - b_log[i]);
      ++a.positions;
    }
  }
  a.top1_all = double(agree) / a.positions;
  a.top1_decided = double(agree_decided) / std::max(a.decided, 1);
  a.mean_kl = kl / a.positions;
  return a;
}

// stories260K (trained) must agree at every kind of position; tiny-llama (random) at decided ones.
void check_bounds(const std::string& model, nib::WeightType type, double min_top1, double max_kl) {
  CAPTURE(model);
  CAPTURE(static_cast<int>(type));
  const auto a = compare(model, type);
  MESSAGE(model << " weights " << static_cast<int>(type) << ": top-1 agreement " << a.top1_all << " ("
                << a.top1_decided << " at the " << a.decided << " decided of " << a.positions
                << " positions), mean KL " << a.mean_kl);
  CHECK(a.decided >= 50);
  CHECK(a.top1_decided >= min_top1);
  if (model == "stories260K") CHECK(a.top1_all >= min_top1);
  CHECK(a.mean_kl <= max_kl);
}

}  // namespace

TEST_CASE("reduced weights: int8 keeps top-1 >= 99% and KL <= 0.01 against f32") {
  for (const char* m : {"stories260K", "tiny-llama"}) check_bounds(m, nib::WeightType::Int8, 0.99, 0.01);
}

// int4 (no bound in the issue; these hold with some margin): 4-bit codes round each weight by up to
// an eighth of its block's largest, ~16 times int8's error. Measured: stories260K top-1 0.89 (0.93 at
// decided positions), KL 0.060; tiny-llama (random weights) 0.55 at decided positions, KL 0.20.
TEST_CASE("reduced weights: int4 keeps stories260K's top-1 >= 85% and KL <= 0.08") {
  check_bounds("stories260K", nib::WeightType::Int4, 0.85, 0.08);
  check_bounds("tiny-llama", nib::WeightType::Int4, 0.45, 0.3);
}

TEST_CASE("reduced weights: bf16 and f16 stay closer to f32 than int8's bounds") {
  for (const char* m : {"stories260K", "tiny-llama"}) {
    check_bounds(m, nib::WeightType::BF16, 0.995, 1e-3);
    check_bounds(m, nib::WeightType::F16, 0.999, 5e-5);
  }
}

// LoRA deltas stay f32 on top of reduced base weights: with tiny-llama's lora-a, int8 (and bf16) +
// adapter keep the int8 bounds against f32 + adapter.
TEST_CASE("reduced weights: a LoRA adapter on int8 and bf16 bases") {
  for (const auto type : {nib::WeightType::Int8, nib::WeightType::BF16}) {
    CAPTURE(static_cast<int>(type));
    const auto with = compare("tiny-llama", type, "lora-a");
    MESSAGE("tiny-llama + lora-a, weights " << static_cast<int>(type) << ": top-1 " << with.top1_decided
                                            << " at " << with.decided << " decided positions, mean KL "
                                            << with.mean_kl);
    CHECK(with.top1_decided >= 0.99);
    CHECK(with.mean_kl <= 0.01);
  }
}

// Decoding runs the M = 1 kernels (int8: integer dot products on quantised activations), which the
// prefill logits above do not. Teacher-forced: each golden prefix is extended by one token, so the
// session (reusing its cache) runs exactly one M = 1 step, whose greedy token must match f32's (the
// golden continuation of stories260K is f32's greedy argmax at every step).
TEST_CASE("reduced weights: decode steps of stories260K pick f32's greedy token") {
  auto g = nib::io::read_json_file(nib::test::shared_path("models/stories260K/golden/greedy.json"));
  for (const auto type :
       {nib::WeightType::BF16, nib::WeightType::F16, nib::WeightType::Int8, nib::WeightType::Int4}) {
    CAPTURE(static_cast<int>(type));
    nib::LoadOptions o;
    o.weights = type;
    nib::Session s(nib::Model::load(nib::test::shared_path("models/stories260K"), o));
    nib::GenerateOptions one;
    one.max_new_tokens = 1;
    one.stop_at_eos = false;
    int same = 0, total = 0;
    for (const auto& c : g["prompts"]) {
      auto prefix = c["input_ids"].get<std::vector<TokenId>>();
      const std::size_t prompt_size = prefix.size();
      for (const auto& next : c["generated_ids"]) {
        const auto out = s.generate_ids(prefix, one);
        REQUIRE(out.ids.size() == 1);
        if (prefix.size() > prompt_size)
          CHECK(out.stats.prompt_tokens - out.stats.reused_tokens == 1);  // M = 1
        same += out.ids[0] == next.get<TokenId>();
        ++total;
        prefix.push_back(next.get<TokenId>());
      }
    }
    MESSAGE("weights " << static_cast<int>(type) << ": " << same << " of " << total
                       << " decode steps pick f32's token");
    CHECK(same >= total * (type == nib::WeightType::Int4 ? 85 : 99) / 100);
  }
}
